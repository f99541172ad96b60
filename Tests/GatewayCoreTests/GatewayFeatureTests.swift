import GatewayCore
import MQTTSN
import MQTTSNTransport
import NIOCore
import NIOPosix
import TestSupport
import Testing

/// More end-to-end behaviour: credentials, will updates, rate limits, shutdown, IPv6, other transports.
extension GatewayIntegrationTests {
    @Suite("Gateway features end to end", .serialized, .timeLimit(.minutes(2)))
    struct GatewayFeatureTests {
        @Test("Credentials come from configuration, per client id or the default; a refusal maps to CONNACK 0x03")
        func credentials() async throws {
            try await GatewayFixture.with(
                broker: .init(allowAnonymous: false, users: ["gateway": "gw-secret", "special": "sp-secret"]),
                configure: {
                    $0.upstream.username = "gateway"
                    $0.upstream.password = "gw-secret"
                    // Clients are listed, so the default would be allowlist; plain-device is not among them.
                    $0.security.authentication = .open
                    $0.clients = [
                        "special-device": .init(username: "special", password: "sp-secret"),
                        "wrong-device": .init(username: "special", password: "not-the-password"),
                    ]
                },
                { fixture in
                    let plain = try await fixture.client()
                    #expect(try await plain.connect(clientID: "plain-device") == .accepted)
                    let special = try await fixture.client()
                    #expect(try await special.connect(clientID: "special-device") == .accepted)
                    let wrong = try await fixture.client()
                    #expect(try await wrong.connect(clientID: "wrong-device") == .rejectedNotSupported)
                    #expect(await fixture.gateway.statistics().rejectedConnections["upstream_refused"] == 1)
                    #expect(await fixture.gateway.sessions().map(\.clientID) == ["plain-device", "special-device"])
                    for client in [plain, special, wrong] { await client.close() }
                }
            )
        }

        @Test("WILLTOPICUPD and WILLMSGUPD are answered, and the broker then publishes the new will")
        func willUpdate() async throws {
            try await GatewayFixture.with { fixture in
                let observer = try await fixture.observe(["e2e/will/#"], qos: 1)
                let client = try await fixture.client()
                #expect(
                    try await client.connect(
                        clientID: "updater",
                        keepAlive: 2,
                        will: ("e2e/will/old", "old", .atLeastOnce)
                    )
                        == .accepted
                )
                try await client.send(
                    .willTopicUpdate(
                        MQTTSNWillTopicUpdate(will: MQTTSNWill(qos: .atLeastOnce, topicName: "e2e/will/new"))
                    )
                )
                let topicResponse = try await client.receive { packet -> MQTTSNReturnCode? in
                    if case .willTopicResponse(let response) = packet { return response.returnCode }
                    return nil
                }
                #expect(topicResponse == .accepted)
                try await client.send(.willMessageUpdate(MQTTSNWillMessageUpdate(message: ByteBuffer(string: "new"))))
                let messageResponse = try await client.receive { packet -> MQTTSNReturnCode? in
                    if case .willMessageResponse(let response) = packet { return response.returnCode }
                    return nil
                }
                #expect(messageResponse == .accepted)
                // Silent from now on: lost after 3 s, and the broker publishes the updated will.
                let will = try await observer.waitForMessage(topic: "e2e/will/new")
                #expect(will.payload == "new")
                #expect(!(try await observer.messages.contains { $0.topic == "e2e/will/old" }))
                await client.close()
            }
        }

        @Test("Rate limit: a QoS 1 PUBLISH beyond the bucket gets PUBACK congestion, QoS 0 is dropped and counted")
        func rateLimit() async throws {
            try await GatewayFixture.with(
                configure: { $0.rateLimit = .init(messagesPerSecond: 0.2, burst: 1) },
                {
                    fixture in
                    let observer = try await fixture.observe(["e2e/rate"], qos: 1)
                    let client = try await fixture.connectedClient("chatty")
                    let topicID = try await client.register("e2e/rate", messageID: 1).topicID
                    var codes: [MQTTSNReturnCode] = []
                    for messageID in UInt16(2)...3 {
                        try await client.send(
                            .publish(
                                MQTTSNPublish(
                                    qos: .atLeastOnce,
                                    topicID: topicID,
                                    messageID: messageID,
                                    payload: ByteBuffer(string: "m\(messageID)")
                                )
                            )
                        )
                        codes.append(
                            try await client.receive { packet -> MQTTSNReturnCode? in
                                if case .publishAck(let ack) = packet, ack.messageID == messageID {
                                    return ack.returnCode
                                }
                                return nil
                            }
                        )
                    }
                    #expect(codes == [.accepted, .rejectedCongestion])
                    try await client.send(
                        .publish(MQTTSNPublish(qos: .atMostOnce, topicID: topicID, payload: ByteBuffer(string: "q0")))
                    )
                    try await fixture.waitUntil { _, statistics in statistics.droppedMessages["rate_limited"] == 1 }
                    // A marker through another session: once it arrived, anything the gateway let through arrived before it.
                    try await observer.waitForMessage { $0.payload == "m2" }
                    try await fixture.publish(topic: "e2e/rate", payload: "marker", qos: 1)
                    try await observer.waitForMessage { $0.payload == "marker" }
                    #expect(try await observer.messages.map(\.payload) == ["m2", "marker"])
                    await client.close()
                }
            )
        }

        @Test("Shutdown: clients get DISCONNECT and upstream sessions close cleanly, so no will is published")
        func gracefulShutdown() async throws {
            try await GatewayFixture.with { fixture in
                let observer = try await fixture.observe(["e2e/will/#"], qos: 1)
                let client = try await fixture.client()
                #expect(
                    try await client.connect(clientID: "stayer", will: ("e2e/will/stayer", "gone", .atLeastOnce))
                        == .accepted
                )
                await fixture.gateway.shutdown()
                _ = try await client.receive { packet -> Bool? in
                    if case .disconnect = packet { return true }
                    return nil
                }
                #expect(await fixture.gateway.sessions().filter { $0.state != .lost }.isEmpty)
                try await fixture.publish(
                    topic: "e2e/will/marker",
                    payload: "marker",
                    qos: 1
                )
                try await observer.waitForMessage(topic: "e2e/will/marker")
                #expect(!(try await observer.messages.contains { $0.topic == "e2e/will/stayer" }))
                await client.close()
            }
        }

        @Test("A client that disconnects and reconnects at once gets a new session, and its old will stays unpublished")
        func immediateReconnect() async throws {
            try await GatewayFixture.with { fixture in
                let observer = try await fixture.observe(["e2e/will/#"], qos: 1)
                let client = try await fixture.client()
                let will = (topic: "e2e/will/phoenix", message: "gone", qos: MQTTSNQoS.atLeastOnce)
                #expect(try await client.connect(clientID: "phoenix", will: will) == .accepted)
                try await client.send(.disconnect(MQTTSNDisconnect()))
                // Straight away, without waiting for the DISCONNECT answer.
                #expect(try await client.connect(clientID: "phoenix", will: will) == .accepted)
                // Same for a CONNECT that replaces a live session.
                #expect(try await client.connect(clientID: "phoenix", will: will) == .accepted)
                try await fixture.publish(topic: "e2e/will/marker", payload: "marker", qos: 1)
                try await observer.waitForMessage(topic: "e2e/will/marker")
                #expect(!(try await observer.messages.contains { $0.topic == "e2e/will/phoenix" }))
                #expect(await fixture.gateway.sessions().map(\.clientID) == ["phoenix"])
                await client.close()
            }
        }

        @Test(
            "MQTT 5 upstream: both directions work, and a persistent session keeps the subscription across a reconnect"
        )
        func mqtt5Upstream() async throws {
            try await GatewayFixture.with(
                configure: { $0.upstream.protocolVersion = .v5 },
                { fixture in
                    let observer = try await fixture.observe(["e2e/v5/up"], qos: 1)
                    let client = try await fixture.client()
                    #expect(try await client.connect(clientID: "five", cleanSession: false) == .accepted)
                    let suback = try await client.subscribe(.name("e2e/v5/down"), qos: .atLeastOnce, messageID: 1)
                    #expect(suback.returnCode == .accepted)
                    let topicID = try await client.register("e2e/v5/up", messageID: 2).topicID
                    try await client.send(
                        .publish(
                            MQTTSNPublish(
                                qos: .atLeastOnce,
                                topicID: topicID,
                                messageID: 3,
                                payload: ByteBuffer(string: "up")
                            )
                        )
                    )
                    #expect(try await observer.waitForMessage(topic: "e2e/v5/up").payload == "up")
                    // Leave and come back with clean session off: the broker kept the subscription.
                    try await client.send(.disconnect(MQTTSNDisconnect()))
                    _ = try await client.receive { packet -> Bool? in
                        if case .disconnect = packet { return true }
                        return nil
                    }
                    #expect(try await client.connect(clientID: "five", cleanSession: false) == .accepted)
                    try await fixture.publish(topic: "e2e/v5/down", payload: "down", qos: 1)
                    // The gateway kept the session too: the topic keeps the id SUBACK gave it, no REGISTER needed.
                    let delivered = try await client.receive { packet -> MQTTSNPublish? in
                        if case .register(let register) = packet {
                            Issue.record("unexpected REGISTER \(register.topicName)")
                        }
                        if case .publish(let publish) = packet { return publish }
                        return nil
                    }
                    #expect(delivered.topicID == suback.topicID)
                    #expect(String(buffer: delivered.payload) == "down")
                    await client.close()
                }
            )
        }

        @Test("An IPv6 listener serves clients over IPv6")
        func ipv6() async throws {
            try await GatewayFixture.with(
                configure: { $0.udpListeners = ["[::1]:0"] },
                { fixture in
                    #expect(fixture.gatewayAddress.protocol == .inet6)
                    let client = try await fixture.connectedClient("six")
                    _ = client
                    let sessions = await fixture.gateway.sessions()
                    #expect(sessions.first?.address.socketAddress?.protocol == .inet6)
                    await client.close()
                }
            )
        }

        @Test(
            "Another transport plugs in: serial devices, also behind a forwarder, get sessions and encapsulated replies"
        )
        func pluggedTransport() async throws {
            try await GatewayFixture.with(
                configure: { $0.predefinedTopics = [3: "e2e/serial"] },
                { fixture in
                    let observer = try await fixture.observe(["e2e/serial"], qos: 1)
                    let transport = InMemoryTransport(eventLoop: fixture.gateway.eventLoop)
                    fixture.gateway.register(transport: transport)
                    let line = MQTTSNClientAddress.serial(device: "/dev/ttyUSB0", wirelessNodeID: nil)

                    let connect = MQTTSNPacket.connect(MQTTSNConnect(duration: 30, clientID: "board"))
                    fixture.gateway.receive(try InMemoryTransport.encode(connect), from: line, via: transport)
                    #expect(
                        try await transport.inbox.next(timeout: .seconds(10)).get()
                            == .connectAck(MQTTSNConnectAck(returnCode: .accepted))
                    )

                    let node: [UInt8] = [0xAB, 0xCD]
                    let encapsulated = MQTTSNPacket.forwarderEncapsulation(
                        MQTTSNForwarderEncapsulation(
                            wirelessNodeID: ByteBuffer(bytes: node),
                            message: .connect(MQTTSNConnect(duration: 30, clientID: "node"))
                        )
                    )
                    fixture.gateway.receive(try InMemoryTransport.encode(encapsulated), from: line, via: transport)
                    let reply = try await transport.inbox.next(timeout: .seconds(10)).get()
                    guard case .forwarderEncapsulation(let wrapped) = reply else {
                        Issue.record("expected an encapsulated CONNACK, got \(reply)")
                        return
                    }
                    #expect(Array(wrapped.wirelessNodeID.readableBytesView) == node)
                    #expect(wrapped.message == .connectAck(MQTTSNConnectAck(returnCode: .accepted)))

                    let publish = MQTTSNPacket.publish(
                        MQTTSNPublish(
                            qos: .atMostOnce,
                            topicIDType: .predefined,
                            topicID: 3,
                            payload: ByteBuffer(string: "over serial")
                        )
                    )
                    fixture.gateway.receive(try InMemoryTransport.encode(publish), from: line, via: transport)
                    #expect(try await observer.waitForMessage(topic: "e2e/serial").payload == "over serial")
                    let addresses = await fixture.gateway.sessions().map(\.address)
                    #expect(
                        addresses == [
                            .serial(device: "/dev/ttyUSB0", wirelessNodeID: nil),
                            .serial(device: "/dev/ttyUSB0", wirelessNodeID: node),
                        ]
                    )
                    // A UDP client beside them: all sessions list it, the serial ones (what the link monitor samples
                    // when UDP sensors are no status devices) do not.
                    let sensor = try await fixture.connectedClient("sensor")
                    #expect(await fixture.gateway.sessions().map(\.clientID) == ["board", "node", "sensor"])
                    #expect(await fixture.gateway.serialSessions().map(\.address) == addresses)
                    await sensor.close()
                }
            )
        }
    }
}
