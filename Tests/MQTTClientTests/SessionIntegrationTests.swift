import MQTTClient
import NIOCore
import TestSupport
import Testing

/// Persistent sessions: what survives a lost connection.
@Suite("mosquitto: persistent sessions", .timeLimit(.minutes(1)))
struct SessionIntegrationTests {
    /// Decodes what the client sent on one proxied connection.
    static func packets(_ bytes: [UInt8], version: MQTTProtocolVersion) throws -> [MQTTPacket] {
        var decoder = MQTTPacketDecoder(protocolVersion: version)
        var buffer = ByteBuffer(bytes: bytes)
        var packets: [MQTTPacket] = []
        while let packet = try decoder.decode(buffer: &buffer) { packets.append(packet) }
        return packets
    }

    @Test(
        "an unacknowledged publish is resent with DUP after reconnecting, and QoS 2 still arrives once",
        arguments: [MQTTProtocolVersion.v3_1_1, .v5],
        [MQTTQoS.atLeastOnce, .exactlyOnce]
    )
    func resendAfterConnectionCut(version: MQTTProtocolVersion, qos: MQTTQoS) async throws {
        try await withBroker { broker in
            let topic = uniqueTopic("resend")
            let watcher = try await MosquittoSubscriber.start(
                broker: broker,
                topics: [topic],
                qos: 2,
                version: version.mosquitto
            )
            let proxy = try await TCPFaultProxy.start(targetPort: broker.port)

            var configuration = MQTTClientConfiguration.forTest(broker, version: version)
            configuration.port = proxy.port
            configuration.cleanSession = false
            configuration.sessionExpiryInterval = 300
            configuration.reconnect = MQTTReconnectPolicy(initialDelay: .milliseconds(100), jitter: 0)
            let client = TestClient(configuration)
            try await client.client.connect()
            let clientID = configuration.clientID

            // The broker receives the publish, but its acknowledgement never reaches the client.
            proxy.swallowServerToClient = true
            let publish: EventLoopFuture<Void> = client.client.publish(
                MQTTMessage(topic: topic, payload: "resent", qos: qos)
            )
            let acknowledgement =
                qos == .atLeastOnce ? "Sending PUBACK to \(clientID)" : "Sending PUBREC to \(clientID)"
            try await broker.waitForLog { $0.contains(acknowledgement) }
            await proxy.dropAllConnections()
            proxy.swallowServerToClient = false

            // The reconnect resumes the session, resends, and the publish completes.
            try await publish.get()
            #expect(client.events.all.contains(.connected(sessionPresent: true)))
            let resent = try Self.packets(proxy.clientBytes(connection: 1), version: version).compactMap {
                packet -> MQTTPublishPacket? in
                if case .publish(let publish) = packet { publish } else { nil }
            }
            #expect(resent.count == 1)
            #expect(resent.first?.duplicate == true)
            #expect(resent.first?.message.topic == topic)
            #expect(resent.first?.packetID == 1)

            try await client.client.publish(MQTTMessage(topic: topic, payload: "end", qos: qos))
            try await watcher.waitForMessage { $0.payload == "end" }
            let deliveries = watcher.messages.filter { $0.payload == "resent" }.count
            if qos == .exactlyOnce {
                #expect(deliveries == 1)
            } else {
                // QoS 1 is at least once: the broker forwards the retransmission too.
                #expect(deliveries >= 1)
            }
            await watcher.stop()
            try await client.client.disconnect()
            await proxy.stop()
        }
    }

    @Test(
        "publishes made while reconnecting are queued and sent once connected",
        arguments: [MQTTProtocolVersion.v3_1_1, .v5]
    )
    func queuedWhileReconnecting(version: MQTTProtocolVersion) async throws {
        try await withBroker { broker in
            let topic = uniqueTopic("queued")
            let watcher = try await MosquittoSubscriber.start(
                broker: broker,
                topics: [topic],
                qos: 1,
                version: version.mosquitto
            )
            let proxy = try await TCPFaultProxy.start(targetPort: broker.port)
            var configuration = MQTTClientConfiguration.forTest(broker, version: version)
            configuration.port = proxy.port
            configuration.reconnect = MQTTReconnectPolicy(initialDelay: .milliseconds(300), jitter: 0)
            let client = TestClient(configuration)
            try await client.client.connect()

            await proxy.dropAllConnections()
            try await client.events.wait { $0 == .reconnecting(attempt: 1) }
            let queued = (0..<3).map {
                client.client.publish(MQTTMessage(topic: topic, payload: "queued-\($0)", qos: .atLeastOnce))
            }
            for future in queued { try await future.get() }
            try await watcher.waitForMessage { $0.payload == "queued-2" }
            #expect(watcher.messages.map(\.payload) == ["queued-0", "queued-1", "queued-2"])
            await watcher.stop()
            try await client.client.disconnect()
            await proxy.stop()
        }
    }

    @Test("a persistent session keeps subscriptions across connections", arguments: [MQTTProtocolVersion.v3_1_1, .v5])
    func sessionPresent(version: MQTTProtocolVersion) async throws {
        try await withBroker { broker in
            let topic = uniqueTopic("session")
            var configuration = MQTTClientConfiguration.forTest(broker, version: version)
            configuration.cleanSession = false
            configuration.sessionExpiryInterval = 300
            let first = TestClient(configuration)
            #expect(try await first.client.connect().sessionPresent == false)
            try await first.client.subscribe([MQTTSubscription(topicFilter: topic, qos: .atLeastOnce)])
            try await first.client.disconnect()

            // Published while we are away: the broker keeps it for the session.
            try await MosquittoPublisher.publish(broker: broker, topic: topic, payload: "while away", qos: 1)

            let second = TestClient(configuration)
            #expect(try await second.client.connect().sessionPresent == true)
            let message = try await second.message(on: topic)
            #expect(String(buffer: message.payload) == "while away")
            try await second.client.disconnect()
        }
    }
}
