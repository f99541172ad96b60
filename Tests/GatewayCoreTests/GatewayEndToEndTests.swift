import GatewayCore
import MQTTSN
import NIOCore
import NIOPosix
import TestSupport
import Testing

/// End to end: real mosquitto, real UDP sockets on loopback, behaviour checked from the broker side.
extension GatewayIntegrationTests {
    @Suite("Gateway end to end against mosquitto", .serialized, .timeLimit(.minutes(2)))
    struct GatewayEndToEndTests {
        @Test("QoS 2 from the client: PUBREC only after the broker completed, a DUP is not published twice")
        func qos2Upstream() async throws {
            try await GatewayFixture.with { fixture in
                let subscriber = try await fixture.observe(["e2e/q2/#"], qos: 2)
                let client = try await fixture.connectedClient("q2-up")
                let topicID = try await client.register("e2e/q2/up", messageID: 1).topicID
                let publish = MQTTSNPublish(
                    qos: .exactlyOnce,
                    topicID: topicID,
                    messageID: 7,
                    payload: ByteBuffer(string: "once")
                )
                try await client.send(.publish(publish))
                let pubrec = try await client.receive { packet -> UInt16? in
                    if case .publishReceived(let received) = packet { return received.messageID }
                    return nil
                }
                #expect(pubrec == 7)
                // The PUBREC means the broker has it.
                try await subscriber.waitForMessage { $0.payload == "once" }
                // The client missed the PUBREC and retransmits: answered with PUBREC, not published again.
                var duplicate = publish
                duplicate.dup = true
                try await client.send(.publish(duplicate))
                let repeated = try await client.receive { packet -> UInt16? in
                    if case .publishReceived(let received) = packet { return received.messageID }
                    return nil
                }
                #expect(repeated == 7)
                try await client.send(.publishRelease(MQTTSNPublishRelease(messageID: 7)))
                let pubcomp = try await client.receive { packet -> UInt16? in
                    if case .publishComplete(let complete) = packet { return complete.messageID }
                    return nil
                }
                #expect(pubcomp == 7)
                // A marker after the exchange: once it arrived, any second copy would have arrived before it.
                try await client.send(
                    .publish(
                        MQTTSNPublish(
                            qos: .atLeastOnce,
                            topicID: topicID,
                            messageID: 8,
                            payload: ByteBuffer(string: "marker")
                        )
                    )
                )
                try await subscriber.waitForMessage { $0.payload == "marker" }
                #expect(try await subscriber.messages.filter { $0.payload == "once" }.count == 1)
                #expect(try await subscriber.messages.first { $0.payload == "once" }?.qos == 2)
                await client.close()
            }
        }

        @Test("QoS 2 to the client: retransmitted with DUP until PUBREC, released, never delivered as a new message")
        func qos2Downstream() async throws {
            try await GatewayFixture.with { fixture in
                let client = try await fixture.connectedClient("q2-down")
                let suback = try await client.subscribe(.name("e2e/q2/down"), qos: .exactlyOnce, messageID: 1)
                #expect(suback.returnCode == .accepted)
                #expect(suback.qos == .exactlyOnce)
                #expect(suback.topicID != 0)
                try await fixture.publish(
                    topic: "e2e/q2/down",
                    payload: "exactly",
                    qos: 2
                )
                let first = try await client.receive { packet -> MQTTSNPublish? in
                    if case .publish(let publish) = packet { return publish }
                    return nil
                }
                #expect(first.qos == .exactlyOnce)
                #expect(first.topicID == suback.topicID)
                #expect(String(buffer: first.payload) == "exactly")
                #expect(!first.dup)
                // No PUBREC: the gateway retransmits after the retry interval, same message id, DUP set.
                let second = try await client.receive { packet -> MQTTSNPublish? in
                    if case .publish(let publish) = packet { return publish }
                    return nil
                }
                #expect(second.messageID == first.messageID)
                #expect(second.dup)
                try await client.send(.publishReceived(MQTTSNPublishReceived(messageID: first.messageID)))
                let release = try await client.receive { packet -> UInt16? in
                    if case .publishRelease(let release) = packet { return release.messageID }
                    return nil
                }
                #expect(release == first.messageID)
                try await client.send(.publishComplete(MQTTSNPublishComplete(messageID: first.messageID)))
                #expect(try await client.receiveNothing(within: .milliseconds(1500)))
                await client.close()
            }
        }

        @Test("A client silent past 1.5 x keepalive is lost and the broker publishes its will")
        func willOnKeepAliveExpiry() async throws {
            try await GatewayFixture.with { fixture in
                let subscriber = try await fixture.observe(["e2e/will/#"], qos: 1)
                let client = try await fixture.client()
                let code = try await client.connect(
                    clientID: "mortal",
                    keepAlive: 1,
                    will: ("e2e/will/mortal", "gone", .atLeastOnce)
                )
                #expect(code == .accepted)
                let will = try await subscriber.waitForMessage(topic: "e2e/will/mortal", timeout: .seconds(10))
                #expect(will.payload == "gone")
                let sessions = await fixture.gateway.sessions()
                #expect(sessions.contains { $0.clientID == "mortal" && $0.state == .lost })
                #expect(await fixture.gateway.statistics().clientsLost == 1)
                await client.close()
            }
        }

        @Test("A graceful DISCONNECT does not publish the will")
        func noWillOnDisconnect() async throws {
            try await GatewayFixture.with { fixture in
                let subscriber = try await fixture.observe(["e2e/will/#"], qos: 1)
                let client = try await fixture.client()
                _ = try await client.connect(
                    clientID: "polite",
                    keepAlive: 60,
                    will: ("e2e/will/polite", "gone", .atLeastOnce)
                )
                try await client.send(.disconnect(MQTTSNDisconnect()))
                _ = try await client.receive { packet -> Bool? in
                    if case .disconnect = packet { return true }
                    return nil
                }
                try await fixture.waitUntil { sessions, _ in sessions.isEmpty }
                // A second client's message after the disconnect: if the will were published it would come first.
                try await fixture.publish(
                    topic: "e2e/will/marker",
                    payload: "marker",
                    qos: 1
                )
                try await subscriber.waitForMessage(topic: "e2e/will/marker")
                #expect(!(try await subscriber.messages.contains { $0.topic == "e2e/will/polite" }))
                await client.close()
            }
        }

        @Test("A sleeping client gets its buffered messages on PINGREQ(client id), then PINGRESP")
        func sleepingClient() async throws {
            try await GatewayFixture.with { fixture in
                let client = try await fixture.connectedClient("sleepy")
                let suback = try await client.subscribe(.name("e2e/sleep"), qos: .atLeastOnce, messageID: 1)
                #expect(suback.returnCode == .accepted)
                try await client.send(.disconnect(MQTTSNDisconnect(duration: 30)))
                _ = try await client.receive { packet -> Bool? in
                    if case .disconnect = packet { return true }
                    return nil
                }
                for payload in ["first", "second"] {
                    try await fixture.publish(
                        topic: "e2e/sleep",
                        payload: payload,
                        qos: 1
                    )
                }
                try await fixture.waitUntil { sessions, _ in
                    sessions.contains { $0.clientID == "sleepy" && $0.state == .asleep && $0.pendingMessages == 2 }
                }
                #expect(try await client.receiveNothing(within: .milliseconds(200)), "nothing is sent while asleep")
                try await client.send(.pingRequest(MQTTSNPingRequest(clientID: "sleepy")))
                var delivered: [String] = []
                while true {
                    let packet = try await client.receive()
                    if case .publish(let publish) = packet {
                        delivered.append(String(buffer: publish.payload))
                        try await client.send(
                            .publishAck(
                                MQTTSNPublishAck(
                                    topicID: publish.topicID,
                                    messageID: publish.messageID,
                                    returnCode: .accepted
                                )
                            )
                        )
                    } else if case .pingResponse = packet {
                        break
                    }
                }
                #expect(delivered == ["first", "second"])
                try await fixture.waitUntil { sessions, _ in
                    sessions.contains { $0.clientID == "sleepy" && $0.state == .asleep && $0.pendingMessages == 0 }
                }
                await client.close()
            }
        }

        @Test("A wildcard subscription: the gateway REGISTERs the topic and PUBLISHes only after the REGACK")
        func wildcardRegister() async throws {
            try await GatewayFixture.with { fixture in
                let client = try await fixture.connectedClient("wild")
                let suback = try await client.subscribe(.name("e2e/wild/+"), qos: .atLeastOnce, messageID: 1)
                #expect(suback.returnCode == .accepted)
                #expect(suback.topicID == 0)
                try await fixture.publish(
                    topic: "e2e/wild/kitchen",
                    payload: "22.5",
                    qos: 1,
                    retain: true
                )
                let register = try await client.receive { packet -> MQTTSNRegister? in
                    if case .register(let register) = packet { return register }
                    return nil
                }
                #expect(register.topicName == "e2e/wild/kitchen")
                #expect(register.topicID != 0)
                #expect(try await client.receiveNothing(within: .milliseconds(300)), "no PUBLISH before the REGACK")
                try await client.send(
                    .registerAck(
                        MQTTSNRegisterAck(
                            topicID: register.topicID,
                            messageID: register.messageID,
                            returnCode: .accepted
                        )
                    )
                )
                let publish = try await client.receive { packet -> MQTTSNPublish? in
                    if case .publish(let publish) = packet { return publish }
                    return nil
                }
                #expect(publish.topicID == register.topicID)
                #expect(publish.topicIDType == .normal)
                #expect(String(buffer: publish.payload) == "22.5")
                #expect(publish.qos == .atLeastOnce)
                try await client.send(
                    .publishAck(
                        MQTTSNPublishAck(topicID: publish.topicID, messageID: publish.messageID, returnCode: .accepted)
                    )
                )
                // Retain passes through: a new subscriber gets the retained message with the retain flag.
                let late = try await fixture.connectedClient("wild-late")
                _ = try await late.subscribe(.name("e2e/wild/kitchen"), qos: .atMostOnce, messageID: 1)
                let retained = try await late.receive { packet -> MQTTSNPublish? in
                    if case .publish(let publish) = packet { return publish }
                    return nil
                }
                #expect(retained.retain)
                await client.close()
                await late.close()
            }
        }

        @Test("QoS -1 with a predefined topic id and a short name reaches the broker without any connection")
        func qosMinusOne() async throws {
            try await GatewayFixture.with(
                configure: {
                    $0.qosMinusOne = .init(enabled: true, allowedSources: ["127.0.0.0/8"])
                    $0.predefinedTopics = [5: "e2e/predefined/five"]
                },
                { fixture in
                    let subscriber = try await fixture.observe(["e2e/predefined/#", "qs"], qos: 0)
                    let device = try await fixture.client()
                    try await device.send(
                        .publish(
                            MQTTSNPublish(
                                qos: .fireAndForget,
                                topicIDType: .predefined,
                                topicID: 5,
                                payload: ByteBuffer(string: "fire")
                            )
                        )
                    )
                    let message = try await subscriber.waitForMessage(topic: "e2e/predefined/five")
                    #expect(message.payload == "fire")
                    let short = MQTTSNShortTopicName("qs")!.rawValue
                    try await device.send(
                        .publish(
                            MQTTSNPublish(
                                qos: .fireAndForget,
                                topicIDType: .shortName,
                                topicID: short,
                                payload: ByteBuffer(string: "short")
                            )
                        )
                    )
                    #expect(try await subscriber.waitForMessage(topic: "qs").payload == "short")
                    // An unknown predefined id is dropped and counted, and QoS -1 is never answered.
                    try await device.send(
                        .publish(
                            MQTTSNPublish(
                                qos: .fireAndForget,
                                topicIDType: .predefined,
                                topicID: 6,
                                payload: ByteBuffer(string: "x")
                            )
                        )
                    )
                    try await fixture.waitUntil { _, statistics in
                        statistics.droppedMessages["qos_minus_one_invalid_topic"] == 1
                    }
                    #expect(try await device.receiveNothing(within: .milliseconds(200)))
                    #expect(await fixture.gateway.sessions().isEmpty)
                    await device.close()
                }
            )
        }

        @Test("QoS -1 from a source outside the allowed prefixes is dropped and counted")
        func qosMinusOneRefusedSource() async throws {
            try await GatewayFixture.with(
                configure: {
                    $0.qosMinusOne = .init(enabled: true, allowedSources: ["10.0.0.0/8", "fd00::/8"])
                    $0.predefinedTopics = [5: "e2e/predefined/five"]
                },
                { fixture in
                    let subscriber = try await fixture.observe(["e2e/predefined/#"], qos: 0)
                    let device = try await fixture.client()
                    let publish = MQTTSNPublish(
                        qos: .fireAndForget,
                        topicIDType: .predefined,
                        topicID: 5,
                        payload: ByteBuffer(string: "intruder")
                    )
                    try await device.send(.publish(publish))
                    try await fixture.waitUntil { _, statistics in
                        statistics.droppedMessages["qos_minus_one_refused"] == 1
                    }
                    try await fixture.publish(topic: "e2e/predefined/marker", payload: "m")
                    try await subscriber.waitForMessage(topic: "e2e/predefined/marker")
                    #expect(try await subscriber.messages.map(\.topic) == ["e2e/predefined/marker"])
                    await device.close()
                }
            )
        }

        @Test("Retain from the client reaches the broker: a later subscriber gets the retained message")
        func retainUpstream() async throws {
            try await GatewayFixture.with { fixture in
                let client = try await fixture.connectedClient("retainer")
                let topicID = try await client.register("e2e/retained", messageID: 1).topicID
                let publish = MQTTSNPublish(
                    qos: .atLeastOnce,
                    retain: true,
                    topicID: topicID,
                    messageID: 2,
                    payload: ByteBuffer(string: "kept")
                )
                try await client.send(.publish(publish))
                _ = try await client.receive { packet -> Bool? in
                    if case .publishAck(let ack) = packet, ack.messageID == 2 { return true }
                    return nil
                }
                // Subscribed only now, after the broker acknowledged: only a retained message can arrive.
                let late = try await fixture.observe(["e2e/retained"], qos: 1)
                let retained = try await late.waitForMessage(topic: "e2e/retained")
                #expect(retained.payload == "kept")
                #expect(retained.retain)
                await client.close()
            }
        }

        @Test("A sleeping client that wakes with CONNECT (clean session on) keeps its session and gets its buffer")
        func wakeWithConnect() async throws {
            try await GatewayFixture.with { fixture in
                let client = try await fixture.connectedClient("early-bird")
                _ = try await client.subscribe(.name("e2e/wake"), qos: .atLeastOnce, messageID: 1)
                try await client.send(.disconnect(MQTTSNDisconnect(duration: 30)))
                _ = try await client.receive { packet -> Bool? in
                    if case .disconnect = packet { return true }
                    return nil
                }
                try await fixture.publish(topic: "e2e/wake", payload: "morning", qos: 1)
                try await fixture.waitUntil { sessions, _ in sessions.first?.pendingMessages == 1 }
                #expect(try await client.connect(clientID: "early-bird", cleanSession: true) == .accepted)
                let publish = try await client.receive { packet -> MQTTSNPublish? in
                    if case .publish(let publish) = packet { return publish }
                    return nil
                }
                #expect(String(buffer: publish.payload) == "morning")
                #expect(await fixture.gateway.sessions().first?.state == .connected)
                await client.close()
            }
        }

        @Test("Beyond max clients CONNACK says congestion; a slot freed by a leaving client is reused")
        func maxClients() async throws {
            try await GatewayFixture.with(
                configure: { $0.maxClients = 2 },
                { fixture in
                    let first = try await fixture.connectedClient("slot-1")
                    // Silent after CONNECT: lost 3 s later (1.5 x keepalive), which frees its slot.
                    let second = try await fixture.connectedClient("slot-2", keepAlive: 2)
                    let third = try await fixture.client()
                    #expect(try await third.connect(clientID: "slot-3") == .rejectedCongestion)
                    try await first.send(.disconnect(MQTTSNDisconnect()))
                    _ = try await first.receive { packet -> Bool? in
                        if case .disconnect = packet { return true }
                        return nil
                    }
                    #expect(try await third.connect(clientID: "slot-3") == .accepted)
                    let lost = try await fixture.client()
                    #expect(try await lost.connect(clientID: "slot-4") == .rejectedCongestion)
                    try await fixture.waitUntil { _, statistics in statistics.clientsLost == 1 }
                    #expect(try await lost.connect(clientID: "slot-4") == .accepted)
                    #expect(await fixture.gateway.statistics().rejectedConnections["congestion"] == 2)
                    #expect(await fixture.gateway.statistics().clientsConnected == 2)
                    for client in [first, second, third, lost] { await client.close() }
                }
            )
        }

        @Test(
            "A sleeping client whose address changes (NAT rebinding) wakes with PINGREQ(client id) and keeps its session"
        )
        func natRebinding() async throws {
            try await GatewayFixture.with { fixture in
                let subscriber = try await fixture.observe(["e2e/nat/#"], qos: 1)
                let before = try await fixture.connectedClient("roamer")
                let topicID = try await before.register("e2e/nat/up", messageID: 1).topicID
                _ = try await before.subscribe(.name("e2e/nat/down"), qos: .atLeastOnce, messageID: 2)
                try await before.send(.disconnect(MQTTSNDisconnect(duration: 60)))
                _ = try await before.receive { packet -> Bool? in
                    if case .disconnect = packet { return true }
                    return nil
                }
                await before.close()

                // Same device, new source port: it says who it is with PINGREQ(client id), then becomes active.
                let after = try await fixture.client()
                try await after.send(.pingRequest(MQTTSNPingRequest(clientID: "roamer")))
                _ = try await after.receive { packet -> Bool? in
                    if case .pingResponse = packet { return true }
                    return nil
                }
                #expect(try await after.connect(clientID: "roamer", cleanSession: false) == .accepted)
                // Its topic id still works from the new address...
                try await after.send(
                    .publish(
                        MQTTSNPublish(
                            qos: .atLeastOnce,
                            topicID: topicID,
                            messageID: 3,
                            payload: ByteBuffer(string: "moved")
                        )
                    )
                )
                let ack = try await after.receive { packet -> MQTTSNPublishAck? in
                    if case .publishAck(let ack) = packet { return ack }
                    return nil
                }
                #expect(ack.returnCode == .accepted)
                #expect(try await subscriber.waitForMessage(topic: "e2e/nat/up").payload == "moved")
                // ...and messages for it go to the new address.
                try await fixture.publish(
                    topic: "e2e/nat/down",
                    payload: "found",
                    qos: 1
                )
                let delivered = try await after.receive { packet -> MQTTSNPublish? in
                    if case .publish(let publish) = packet { return publish }
                    return nil
                }
                #expect(String(buffer: delivered.payload) == "found")
                await after.close()

                // While the session is live, a CONNECT from yet another port does not take it over (issue 11).
                let third = try await fixture.client()
                #expect(try await third.connect(clientID: "roamer", cleanSession: false) == .rejectedNotSupported)
                #expect(await fixture.gateway.sessions().filter { $0.clientID == "roamer" }.count == 1)
                await third.close()
            }
        }

        @Test("A malformed datagram is counted and does not disturb another client")
        func malformedDatagram() async throws {
            try await GatewayFixture.with { fixture in
                let subscriber = try await fixture.observe(["e2e/ok"], qos: 1)
                let good = try await fixture.connectedClient("good")
                let topicID = try await good.register("e2e/ok", messageID: 1).topicID
                let attacker = try await fixture.client()
                // Length field says 200, three bytes follow; then a reserved message type.
                try await attacker.sendRaw(ByteBuffer(bytes: [200, 0x0C, 0x00]))
                try await attacker.sendRaw(ByteBuffer(bytes: [0x03, 0x03, 0x00]))
                try await fixture.waitUntil { _, statistics in statistics.malformedMessages == 2 }
                try await good.send(
                    .publish(
                        MQTTSNPublish(
                            qos: .atLeastOnce,
                            topicID: topicID,
                            messageID: 2,
                            payload: ByteBuffer(string: "still fine")
                        )
                    )
                )
                let ack = try await good.receive { packet -> MQTTSNPublishAck? in
                    if case .publishAck(let ack) = packet { return ack }
                    return nil
                }
                #expect(ack.returnCode == .accepted)
                #expect(try await subscriber.waitForMessage(topic: "e2e/ok").payload == "still fine")
                #expect(try await attacker.receiveNothing(within: .milliseconds(100)))
                await good.close()
                await attacker.close()
            }
        }

        @Test("PUBLISH with an unknown topic id gets PUBACK 0x02; a client without session gets DISCONNECT")
        func invalidTopicAndUnknownClient() async throws {
            try await GatewayFixture.with { fixture in
                let client = try await fixture.connectedClient("confused")
                try await client.send(
                    .publish(
                        MQTTSNPublish(qos: .atLeastOnce, topicID: 4242, messageID: 1, payload: ByteBuffer(string: "?"))
                    )
                )
                let ack = try await client.receive { packet -> MQTTSNPublishAck? in
                    if case .publishAck(let ack) = packet { return ack }
                    return nil
                }
                #expect(ack.returnCode == .rejectedInvalidTopicID)
                #expect(ack.topicID == 4242)
                let stranger = try await fixture.client()
                try await stranger.send(
                    .publish(
                        MQTTSNPublish(qos: .atLeastOnce, topicID: 1, messageID: 1, payload: ByteBuffer(string: "?"))
                    )
                )
                _ = try await stranger.receive { packet -> Bool? in
                    if case .disconnect = packet { return true }
                    return nil
                }
                // SEARCHGW is answered with GWINFO carrying the configured gateway id.
                try await stranger.send(.searchGateway(MQTTSNSearchGateway(radius: 1)))
                let info = try await stranger.receive { packet -> MQTTSNGatewayInfo? in
                    if case .gatewayInfo(let info) = packet { return info }
                    return nil
                }
                #expect(info.gatewayID == 1)
                await client.close()
                await stranger.close()
            }
        }
    }
}
