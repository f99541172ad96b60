import GatewayCore
import Logging
import MQTTSN
import NIOCore
import NIOPosix
import Testing

/// The gateway over real UDP with fake upstream sessions: the test plays the broker and decides when it answers.
@Suite("Gateway with a fake upstream", .timeLimit(.minutes(1)))
struct GatewayEngineTests {
    /// Runs `body` with a started gateway on a one-thread group (so the fake shares the gateway's loop).
    private func withGateway(
        configure: (inout GatewayConfiguration) -> Void = { _ in },
        _ body: (Gateway, FakeUpstreamFactory, MQTTSNTestClient) async throws -> Void
    ) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let factory = FakeUpstreamFactory(eventLoop: group.next())
        var configuration = GatewayConfiguration()
        configuration.udpListeners = ["127.0.0.1:0"]
        configuration.upstream.clientIDPrefix = "gw-"
        configuration.predefinedTopics = [1: "fake/one"]
        configuration.shutdownGracePeriod = .milliseconds(200)
        configure(&configuration)
        var logger = Logger(label: "snbridge.gateway.test")
        logger.logLevel = .warning
        let gateway = Gateway(
            configuration: configuration,
            eventLoopGroup: group,
            upstreamFactory: factory,
            logger: logger
        )
        let address = try await gateway.start()[0]
        let client = try await MQTTSNTestClient.make(gateway: address, group: group)
        do {
            try await body(gateway, factory, client)
        } catch {
            await client.close()
            await gateway.shutdown()
            try? await group.shutdownGracefully()
            throw error
        }
        await client.close()
        await gateway.shutdown()
        try? await group.shutdownGracefully()
    }

    private func connect(
        _ client: MQTTSNTestClient,
        _ factory: FakeUpstreamFactory,
        id: String,
        keepAlive: UInt16 = 60
    )
        async throws -> FakeUpstream
    {
        try await client.send(.connect(MQTTSNConnect(duration: keepAlive, clientID: id)))
        let upstream = try await self.waitForSession(factory, "gw-\(id)")
        try await upstream.answerConnect(.success(()))
        let code = try await client.receive { packet -> MQTTSNReturnCode? in
            if case .connectAck(let ack) = packet { return ack.returnCode }
            return nil
        }
        #expect(code == .accepted)
        return upstream
    }

    private func waitForSession(_ factory: FakeUpstreamFactory, _ clientID: String) async throws -> FakeUpstream {
        try await self.eventually(factory) { try await factory.session(clientID) }
    }

    /// Polls `condition` on the fake's loop until it yields a value, for at most 5 s.
    private func eventually<Value>(
        _ factory: FakeUpstreamFactory,
        _ condition: () async throws -> Value?
    ) async throws -> Value {
        let deadline = NIODeadline.now() + .seconds(5)
        while NIODeadline.now() < deadline {
            if let value = try await condition() { return value }
            try await factory.eventLoop.scheduleTask(in: .milliseconds(10)) {}.futureResult.get()
        }
        throw MQTTSNTestClientError.timedOut
    }

    private func publish(_ payload: String, qos: MQTTSNQoS, messageID: UInt16 = 0) -> MQTTSNPacket {
        .publish(
            MQTTSNPublish(
                qos: qos,
                topicIDType: .predefined,
                topicID: 1,
                messageID: messageID,
                payload: ByteBuffer(string: payload)
            )
        )
    }

    @Test("A burst of PUBLISHes goes upstream unflushed and is flushed once handled")
    func upstreamFlushPerBurst() async throws {
        try await withGateway { _, factory, client in
            let upstream = try await self.connect(client, factory, id: "burst")
            for index in 1...3 {
                try await client.send(self.publish("m\(index)", qos: .atMostOnce))
            }
            let flushed = try await self.eventually(factory) {
                let flushed = try await upstream.flushedPublishes()
                return flushed.count == 3 ? flushed : nil
            }
            #expect(flushed.map { String(buffer: $0.payload) } == ["m1", "m2", "m3"])
        }
    }

    @Test("While the upstream is congested QoS 0 PUBLISHes are dropped and counted; QoS 1 still goes upstream")
    func upstreamCongestion() async throws {
        try await withGateway { gateway, factory, client in
            let upstream = try await self.connect(client, factory, id: "congested")
            try await upstream.setWritable(false)
            try await client.send(self.publish("dropped", qos: .atMostOnce))
            try await client.send(self.publish("kept", qos: .atLeastOnce, messageID: 7))
            let pending = try await self.eventually(factory) {
                let pending = try await upstream.pendingPublishes()
                return pending.isEmpty ? nil : pending
            }
            #expect(pending.map { String(buffer: $0.payload) } == ["kept"])
            #expect(await gateway.statistics().droppedMessages["upstream_congested"] == 1)

            try await upstream.setWritable(true)
            try await client.send(self.publish("after", qos: .atMostOnce))
            let resumed = try await self.eventually(factory) {
                let pending = try await upstream.pendingPublishes()
                return pending.count == 2 ? pending : nil
            }
            #expect(resumed.map { String(buffer: $0.payload) } == ["kept", "after"])
        }
    }

    @Test("CONNACK waits for the broker's CONNACK; the upstream session carries the prefixed client id")
    func connackAfterUpstream() async throws {
        try await withGateway { gateway, factory, client in
            try await client.send(.connect(MQTTSNConnect(cleanSession: true, duration: 30, clientID: "slow")))
            let upstream = try await self.waitForSession(factory, "gw-slow")
            #expect(upstream.parameters.keepAlive == 30)
            #expect(upstream.parameters.cleanSession)
            #expect(try await client.receiveNothing(within: .milliseconds(200)), "no CONNACK before the broker's")
            try await upstream.answerConnect(.success(()))
            #expect(try await client.receive() == .connectAck(MQTTSNConnectAck(returnCode: .accepted)))
            #expect(await gateway.sessions().map(\.state) == [.connected])
        }
    }

    @Test("A broker refusal becomes CONNACK with the mapped code and frees the slot")
    func refusal() async throws {
        try await withGateway { gateway, factory, client in
            try await client.send(.connect(MQTTSNConnect(duration: 30, clientID: "refused")))
            let upstream = try await self.waitForSession(factory, "gw-refused")
            try await upstream.answerConnect(.failure(UpstreamConnectError.notAuthorized("bad password")))
            #expect(try await client.receive() == .connectAck(MQTTSNConnectAck(returnCode: .rejectedNotSupported)))
            #expect(await gateway.sessions().isEmpty)
        }
    }

    @Test("QoS 1 PUBACK waits for the broker's acknowledgement")
    func endToEndAcknowledgement() async throws {
        try await withGateway { _, factory, client in
            let upstream = try await self.connect(client, factory, id: "e2e-ack")
            try await client.send(
                .publish(
                    MQTTSNPublish(
                        qos: .atLeastOnce,
                        topicIDType: .predefined,
                        topicID: 1,
                        messageID: 5,
                        payload: ByteBuffer(string: "v")
                    )
                )
            )
            #expect(try await client.receiveNothing(within: .milliseconds(200)), "no PUBACK before the broker's")
            #expect(
                try await upstream.pendingPublishes() == [
                    UpstreamMessage(
                        topic: "fake/one",
                        payload: ByteBuffer(string: "v"),
                        qos: .atLeastOnce,
                        retain: false
                    )
                ]
            )
            try await upstream.acknowledgePublishes()
            #expect(
                try await client.receive()
                    == .publishAck(MQTTSNPublishAck(topicID: 1, messageID: 5, returnCode: .accepted))
            )
        }
    }

    @Test("Keepalive expiry closes upstream abruptly (will published); DISCONNECT closes it gracefully")
    func closingKinds() async throws {
        try await withGateway { gateway, factory, client in
            let silent = try await self.connect(client, factory, id: "silent", keepAlive: 1)
            let polite = try await self.connect(client, factory, id: "polite")
            try await client.send(.disconnect(MQTTSNDisconnect()))
            #expect(try await client.receive() == .disconnect(MQTTSNDisconnect()))
            #expect(try await polite.closingState() == .disconnected)
            // "silent" never speaks again; the gateway gives up on it after 1.5 s. Its DISCONNECT does not reach the
            // socket: "polite" connected from that address since (see addressTakeover).
            _ = try await self.eventually(factory) { await gateway.statistics().clientsLost == 1 ? true : nil }
            #expect(try await silent.closingState() == .closedAbruptly)
        }
    }

    @Test("Losing the upstream connection keeps the client's session: congestion while down, subscriptions back after")
    func upstreamLost() async throws {
        try await withGateway { gateway, factory, client in
            let upstream = try await self.connect(client, factory, id: "orphan")
            let suback = try await client.subscribe(.name("cmd/#"), qos: .atLeastOnce, messageID: 1)
            #expect(suback.returnCode == .accepted)
            upstream.events.connectionLost()
            try await client.send(self.publish("while down", qos: .atLeastOnce, messageID: 2))
            #expect(
                try await client.receive()
                    == .publishAck(.init(topicID: 1, messageID: 2, returnCode: .rejectedCongestion))
            )
            #expect(await gateway.sessions().first?.state == .connected)
            // The broker lost the session (clean): its subscriptions come back on the reconnected one.
            upstream.events.connectionRestored(false)
            let subscriptions = try await self.eventually(factory) {
                let subscriptions = try await upstream.subscriptions()
                return subscriptions.count == 2 ? subscriptions : nil
            }
            #expect(subscriptions == ["cmd/#", "cmd/#"])
            try await client.send(self.publish("back", qos: .atLeastOnce, messageID: 3))
            let pending = try await self.eventually(factory) {
                let pending = try await upstream.pendingPublishes()
                return pending.isEmpty ? nil : pending
            }
            #expect(pending.map { String(buffer: $0.payload) } == ["back"])
            #expect(await gateway.statistics().clientsLost == 0)
        }
    }

    @Test("A CONNECT repeated while the broker has not answered is answered once, with the real (transient) outcome")
    func repeatedConnect() async throws {
        try await withGateway { gateway, factory, client in
            let connect = MQTTSNPacket.connect(MQTTSNConnect(duration: 60, clientID: "again"))
            try await client.send(connect)
            let upstream = try await self.waitForSession(factory, "gw-again")
            try await client.send(connect)
            _ = try await self.eventually(factory) {
                await gateway.statistics().droppedMessages["repeated_connect"] == 1 ? true : nil
            }
            try await upstream.answerConnect(.failure(UpstreamConnectError.unavailable("broker restarting")))
            #expect(try await client.receive() == .connectAck(.init(returnCode: .rejectedCongestion)))
            #expect(try await client.receiveNothing(within: .milliseconds(300)))
            #expect(try await factory.session("gw-again") === upstream)
        }
    }

    @Test("A new client id from an address another session holds takes the address: nothing of the old one arrives")
    func addressTakeover() async throws {
        try await withGateway { gateway, factory, client in
            let first = try await self.connect(client, factory, id: "first", keepAlive: 1)
            let second = try await self.connect(client, factory, id: "second")
            first.events.message(
                UpstreamMessage(
                    topic: "fake/one",
                    payload: ByteBuffer(string: "for first"),
                    qos: .atMostOnce,
                    retain: false
                ),
                nil
            )
            // "first" is silent past 1.5 s and lost; its DISCONNECT must not reach the socket "second" uses now.
            _ = try await self.eventually(factory) { await gateway.statistics().clientsLost == 1 ? true : nil }
            #expect(try await client.receiveNothing(within: .milliseconds(200)))
            second.events.message(
                UpstreamMessage(
                    topic: "fake/one",
                    payload: ByteBuffer(string: "for second"),
                    qos: .atMostOnce,
                    retain: false
                ),
                nil
            )
            let payload = try await client.receive { packet -> String? in
                if case .publish(let publish) = packet { return String(buffer: publish.payload) }
                return nil
            }
            #expect(payload == "for second")
            #expect((await gateway.statistics().droppedMessages["client_unreachable"] ?? 0) >= 2)
        }
    }

    @Test("A broker QoS 1 message is acknowledged upstream only after the client's PUBACK")
    func downlinkAcknowledgedAfterClient() async throws {
        try await withGateway { _, factory, client in
            let upstream = try await self.connect(client, factory, id: "slow")
            upstream.events.message(
                UpstreamMessage(
                    topic: "fake/one",
                    payload: ByteBuffer(string: "cmd"),
                    qos: .atLeastOnce,
                    retain: false
                ),
                UpstreamAcknowledgement(packetID: 77)
            )
            let publish = try await client.receive { packet -> MQTTSNPublish? in
                if case .publish(let publish) = packet { return publish }
                return nil
            }
            #expect(try await upstream.acknowledgements().isEmpty)
            try await client.send(
                .publishAck(.init(topicID: publish.topicID, messageID: publish.messageID, returnCode: .accepted))
            )
            let acknowledgements = try await self.eventually(factory) {
                let acknowledgements = try await upstream.acknowledgements()
                return acknowledgements.isEmpty ? nil : acknowledgements
            }
            #expect(acknowledgements == [UpstreamAcknowledgement(packetID: 77)])
        }
    }

    @Test("Clean session off: after DISCONNECT the session is kept; CONNECT again keeps topic ids and the will")
    func keptSession() async throws {
        try await withGateway { gateway, factory, client in
            try await client.send(
                .connect(MQTTSNConnect(will: true, cleanSession: false, duration: 60, clientID: "keeper"))
            )
            _ = try await client.receive { if case .willTopicRequest = $0 { true } else { nil } }
            try await client.send(.willTopic(.init(will: MQTTSNWill(qos: .atLeastOnce, topicName: "keeper/status"))))
            _ = try await client.receive { if case .willMessageRequest = $0 { true } else { nil } }
            try await client.send(.willMessage(.init(message: ByteBuffer(string: "offline"))))
            let first = try await self.waitForSession(factory, "gw-keeper")
            try await first.answerConnect(.success(()))
            _ = try await client.receive { if case .connectAck = $0 { true } else { nil } }
            let registered = try await client.register("plant/p1/temperature", messageID: 1)
            try await client.send(.disconnect(MQTTSNDisconnect()))
            _ = try await client.receive { if case .disconnect = $0 { true } else { nil } }
            #expect(try await first.closingState() == .disconnected)

            try await client.send(.connect(MQTTSNConnect(cleanSession: false, duration: 60, clientID: "keeper")))
            let second = try await self.eventually(factory) {
                let latest = try await factory.session("gw-keeper")
                return latest === first ? nil : latest
            }
            #expect(second.parameters.will == .text("keeper/status", "offline", qos: .atLeastOnce))
            #expect(second.parameters.cleanSession == false)
            try await second.answerConnect(.success(()))
            _ = try await client.receive { if case .connectAck = $0 { true } else { nil } }
            try await client.send(
                .publish(.text("21.5", qos: .atLeastOnce, topicID: registered.topicID, messageID: 2))
            )
            let pending = try await self.eventually(factory) {
                let pending = try await second.pendingPublishes()
                return pending.isEmpty ? nil : pending
            }
            #expect(pending.map(\.topic) == ["plant/p1/temperature"])
            #expect(await gateway.sessions().count == 1)
        }
    }
    @Test("A sleeping client's buffer keeps the newest messages and counts the dropped ones")
    func sleepBufferOverflow() async throws {
        try await withGateway(
            configure: { $0.sleepBufferSize = 2 },
            { gateway, factory, client in
                let upstream = try await self.connect(client, factory, id: "dozy")
                try await client.send(.disconnect(MQTTSNDisconnect(duration: 60)))
                #expect(try await client.receive() == .disconnect(MQTTSNDisconnect()))
                for index in 1...4 {
                    upstream.events.message(
                        UpstreamMessage(
                            topic: "fake/one",
                            payload: ByteBuffer(string: "\(index)"),
                            qos: .atMostOnce,
                            retain: false
                        ),
                        nil
                    )
                }
                let statistics = await gateway.statistics()
                #expect(statistics.droppedMessages["queue_full"] == 2)
                try await client.send(.pingRequest(MQTTSNPingRequest(clientID: "dozy")))
                var payloads: [String] = []
                while true {
                    let packet = try await client.receive()
                    if case .publish(let publish) = packet { payloads.append(String(buffer: publish.payload)) }
                    if case .pingResponse = packet { break }
                }
                #expect(payloads == ["3", "4"])
            }
        )
    }
}
