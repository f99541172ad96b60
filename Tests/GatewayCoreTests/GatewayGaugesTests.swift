import Logging
import MQTTSN
import NIOCore
import NIOPosix
import Testing

@testable import GatewayCore

/// The gauges the engine keeps as sessions change (``GatewayGauges``) against a full recount over every session,
/// through a sequence of real session changes over UDP: connecting, awaiting the broker, QoS 1 in flight, asleep
/// with buffered messages, awake, a downlink message unacknowledged, disconnected, replaced, lost.
@Suite("Gateway gauges", .timeLimit(.minutes(1)))
struct GatewayGaugesTests {
    final class Bench: Sendable {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let factory: FakeUpstreamFactory
        let gateway: Gateway
        let address: SocketAddress

        init() async throws {
            factory = FakeUpstreamFactory(eventLoop: group.next())
            var configuration = GatewayConfiguration()
            configuration.udpListeners = ["127.0.0.1:0"]
            configuration.upstream.clientIDPrefix = "gw-"
            configuration.predefinedTopics = [1: "fake/one"]
            configuration.shutdownGracePeriod = .milliseconds(100)
            var logger = Logger(label: "snbridge.gateway.gauges")
            logger.logLevel = .warning
            gateway = Gateway(
                configuration: configuration,
                eventLoopGroup: group,
                upstreamFactory: factory,
                logger: logger
            )
            address = try await gateway.start()[0]
        }

        func client() async throws -> MQTTSNTestClient {
            try await MQTTSNTestClient.make(gateway: address, group: group)
        }

        func upstream(_ clientID: String) async throws -> FakeUpstream {
            try await eventually("the upstream session of \(clientID)") {
                try await self.factory.session("gw-\(clientID)")
            }
        }

        /// Polls until `condition` yields a value, for at most 5 s.
        func eventually<Value>(_ what: String, _ condition: () async throws -> Value?) async throws -> Value {
            let deadline = NIODeadline.now() + .seconds(5)
            while NIODeadline.now() < deadline {
                if let value = try await condition() { return value }
                try await factory.eventLoop.scheduleTask(in: .milliseconds(10)) {}.futureResult.get()
            }
            Issue.record("timed out waiting for \(what)")
            throw MQTTSNTestClientError.timedOut
        }

        /// Waits until the kept gauges show `expected`, checking at every look that they equal the recount.
        func expectGauges(
            _ step: String,
            connecting: Int = 0,
            connected: Int = 0,
            asleep: Int = 0,
            awake: Int = 0,
            awaitingUpstream: Int = 0,
            downlinkQueued: Int = 0,
            sleepBuffered: Int = 0,
            upstreamInFlight: Int = 0
        ) async throws {
            var expected = GatewayObservation()
            for (state, count) in [
                (GatewaySessionSnapshot.State.connecting, connecting), (.connected, connected), (.asleep, asleep),
                (.awake, awake),
            ]
            where count > 0 {
                expected.sessionsByState[state] = count
            }
            expected.awaitingUpstream = awaitingUpstream
            expected.downlinkQueued = downlinkQueued
            expected.sleepBuffered = sleepBuffered
            expected.upstreamInFlight = upstreamInFlight
            _ = try await eventually("\(step): \(expected)") { () -> Bool? in
                guard let both = await gateway.observationAndRecount() else { return nil }
                #expect(both.kept == both.recounted, "\(step)")
                var shown = both.kept
                shown.statistics = expected.statistics
                return shown == expected ? true : nil
            }
        }

        func close() async {
            await gateway.shutdown()
            try? await group.shutdownGracefully()
        }
    }

    static func publish(_ payload: String, qos: MQTTSNQoS, messageID: UInt16) -> MQTTSNPacket {
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

    static func brokerMessage(_ payload: String, qos: UpstreamQoS = .atLeastOnce) -> UpstreamMessage {
        UpstreamMessage(topic: "fake/one", payload: ByteBuffer(string: payload), qos: qos, retain: false)
    }

    @Test("Kept gauges equal a full recount after every session change")
    func gaugesMatchRecount() async throws {
        let bench = try await Bench()
        let alpha = try await bench.client()
        let beta = try await bench.client()
        let gamma = try await bench.client()
        do {
            try await bench.expectGauges("no sessions")

            // Connecting: waiting for the broker's CONNACK.
            try await alpha.send(.connect(MQTTSNConnect(cleanSession: true, duration: 60, clientID: "alpha")))
            let alphaUp = try await bench.upstream("alpha")
            try await bench.expectGauges("alpha connecting", connecting: 1, awaitingUpstream: 1)
            try await alphaUp.answerConnect(.success(()))
            _ = try await alpha.receive { packet -> Bool? in
                if case .connectAck = packet { return true }
                return nil
            }
            try await bench.expectGauges("alpha connected", connected: 1)

            // QoS 1 PUBLISHes in flight until the broker acknowledges them.
            try await alpha.send(Self.publish("a", qos: .atLeastOnce, messageID: 1))
            try await alpha.send(Self.publish("b", qos: .atLeastOnce, messageID: 2))
            try await bench.expectGauges("two in flight", connected: 1, upstreamInFlight: 2)
            try await alphaUp.acknowledgePublishes()
            try await bench.expectGauges("acknowledged", connected: 1)

            // Beta goes to sleep; broker messages are buffered for it.
            try await beta.send(.connect(MQTTSNConnect(cleanSession: true, duration: 60, clientID: "beta")))
            let betaUp = try await bench.upstream("beta")
            try await betaUp.answerConnect(.success(()))
            _ = try await beta.receive { packet -> Bool? in
                if case .connectAck = packet { return true }
                return nil
            }
            try await beta.send(.disconnect(MQTTSNDisconnect(duration: 60)))
            try await bench.expectGauges("beta asleep", connected: 1, asleep: 1)
            for payload in ["x", "y", "z"] { betaUp.events.message(Self.brokerMessage(payload), nil) }
            try await bench.expectGauges("three buffered", connected: 1, asleep: 1, sleepBuffered: 3)

            // Gamma gets a QoS 1 message and does not acknowledge it: one downlink in flight, one queued behind it.
            try await gamma.send(.connect(MQTTSNConnect(cleanSession: true, duration: 60, clientID: "gamma")))
            let gammaUp = try await bench.upstream("gamma")
            try await gammaUp.answerConnect(.success(()))
            _ = try await gamma.receive { packet -> Bool? in
                if case .connectAck = packet { return true }
                return nil
            }
            gammaUp.events.message(Self.brokerMessage("g1"), nil)
            gammaUp.events.message(Self.brokerMessage("g2"), nil)
            let delivered = try await gamma.receive { packet -> MQTTSNPublish? in
                if case .publish(let publish) = packet { return publish }
                return nil
            }
            try await bench.expectGauges("gamma waiting", connected: 2, asleep: 1, downlinkQueued: 2, sleepBuffered: 3)
            try await gamma.send(
                .publishAck(
                    MQTTSNPublishAck(topicID: delivered.topicID, messageID: delivered.messageID, returnCode: .accepted)
                )
            )
            _ = try await gamma.receive { packet -> Bool? in
                if case .publish = packet { return true }
                return nil
            }
            try await bench.expectGauges("gamma's second", connected: 2, asleep: 1, downlinkQueued: 1, sleepBuffered: 3)

            // Beta wakes up (PINGREQ with its id): its buffer moves to the downlink.
            try await beta.send(.pingRequest(MQTTSNPingRequest(clientID: "beta")))
            let woken = try await beta.receive { packet -> MQTTSNPublish? in
                if case .publish(let publish) = packet { return publish }
                return nil
            }
            try await bench.expectGauges("beta awake", connected: 2, awake: 1, downlinkQueued: 4)
            try await beta.send(
                .publishAck(MQTTSNPublishAck(topicID: woken.topicID, messageID: woken.messageID, returnCode: .accepted))
            )
            try await bench.expectGauges("beta's first acknowledged", connected: 2, awake: 1, downlinkQueued: 3)

            // Alpha leaves; gamma's session is replaced by a new CONNECT (its queue goes with it).
            try await alpha.send(.disconnect(MQTTSNDisconnect()))
            try await bench.expectGauges("alpha gone", connected: 1, awake: 1, downlinkQueued: 3)
            try await gamma.send(.connect(MQTTSNConnect(cleanSession: true, duration: 60, clientID: "gamma")))
            try await bench.expectGauges(
                "gamma replaced",
                connecting: 1,
                awake: 1,
                awaitingUpstream: 1,
                downlinkQueued: 2
            )
        } catch {
            await alpha.close()
            await beta.close()
            await gamma.close()
            await bench.close()
            throw error
        }
        await alpha.close()
        await beta.close()
        await gamma.close()
        await bench.close()
    }

    @Test("Sessions page by client id: the rows asked for and the total, new sessions in their place")
    func sessionPages() async throws {
        let bench = try await Bench()
        var clients: [MQTTSNTestClient] = []
        do {
            for name in ["delta", "alpha", "echo", "charlie", "bravo"] {
                let client = try await bench.client()
                clients.append(client)
                try await client.send(.connect(MQTTSNConnect(cleanSession: true, duration: 60, clientID: name)))
                _ = try await bench.upstream(name)
            }
            let all = await bench.gateway.sessions(offset: 0, limit: .max)
            #expect(all.total == 5)
            #expect(all.sessions.map(\.clientID) == ["alpha", "bravo", "charlie", "delta", "echo"])
            #expect(all.sessions == (await bench.gateway.sessions()))
            #expect(await bench.gateway.sessions(offset: 1, limit: 2).sessions.map(\.clientID) == ["bravo", "charlie"])
            #expect(await bench.gateway.sessions(offset: 4, limit: 9).sessions.map(\.clientID) == ["echo"])
            #expect(await bench.gateway.sessions(offset: 7, limit: 9) == GatewaySessionPage(total: 5, sessions: []))
            let late = try await bench.client()
            clients.append(late)
            try await late.send(.connect(MQTTSNConnect(cleanSession: true, duration: 60, clientID: "baker")))
            _ = try await bench.upstream("baker")
            #expect(await bench.gateway.sessions(offset: 1, limit: 2).sessions.map(\.clientID) == ["baker", "bravo"])
        } catch {
            for client in clients { await client.close() }
            await bench.close()
            throw error
        }
        for client in clients { await client.close() }
        await bench.close()
    }
}
