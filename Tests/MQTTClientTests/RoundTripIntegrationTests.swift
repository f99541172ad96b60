import MQTTClient
import NIOCore
import TestSupport
import Testing

/// Publishing and subscribing against a real mosquitto.
@Suite("mosquitto: publish and subscribe", .timeLimit(.minutes(1)))
struct RoundTripIntegrationTests {
    @Test("our publish reaches our subscription", arguments: [MQTTProtocolVersion.v3_1_1, .v5], MQTTQoS.allCases)
    func roundTrip(version: MQTTProtocolVersion, qos: MQTTQoS) async throws {
        try await withBroker { broker in
            let topic = uniqueTopic("roundtrip")
            let subscriber = TestClient(.forTest(broker, version: version))
            try await subscriber.client.connect()
            let granted = try await subscriber.client.subscribe([
                MQTTSubscription(topicFilter: topic, qos: .exactlyOnce)
            ])
            #expect(granted == [.granted(.exactlyOnce)])

            let publisher = TestClient(.forTest(broker, version: version))
            try await publisher.client.connect()
            try await publisher.client.publish(MQTTMessage(topic: topic, payload: "hello \(qos.rawValue)", qos: qos))

            let message = try await subscriber.message(on: topic)
            #expect(message.payload == ByteBuffer(string: "hello \(qos.rawValue)"))
            #expect(message.qos == qos)
            #expect(message.retain == false)

            try await publisher.client.disconnect()
            try await subscriber.client.disconnect()
            #expect(subscriber.messages.all.count == 1)
        }
    }

    @Test("QoS 2 messages we publish reach mosquitto_sub exactly once", arguments: [MQTTProtocolVersion.v3_1_1, .v5])
    func qos2ExactlyOnce(version: MQTTProtocolVersion) async throws {
        try await withBroker { broker in
            let topic = uniqueTopic("exactly-once")
            let subscriber = try await MosquittoSubscriber.start(
                broker: broker,
                topics: [topic],
                qos: 2,
                version: version.mosquitto
            )
            let publisher = TestClient(.forTest(broker, version: version))
            try await publisher.client.connect()
            // Concurrent publishes exercise packet ids and the four-way handshake side by side.
            let payloads = (0..<20).map { "message-\($0)" }
            let futures = payloads.map {
                publisher.client.publish(MQTTMessage(topic: topic, payload: $0, qos: .exactlyOnce))
            }
            for future in futures { try await future.get() }
            try await publisher.client.publish(MQTTMessage(topic: topic, payload: "end", qos: .exactlyOnce))

            try await subscriber.waitForMessage { $0.payload == "end" }
            await subscriber.stop()
            let received = subscriber.messages.filter { $0.payload != "end" }
            #expect(received.map(\.payload).sorted() == payloads.sorted())
            #expect(received.allSatisfy { $0.qos == 2 })
            try await publisher.client.disconnect()
        }
    }

    @Test(
        "a message from mosquitto_pub reaches our subscription",
        arguments: [MQTTProtocolVersion.v3_1_1, .v5],
        [MQTTQoS.atLeastOnce, .exactlyOnce]
    )
    func mosquittoPubToUs(version: MQTTProtocolVersion, qos: MQTTQoS) async throws {
        try await withBroker { broker in
            let topic = uniqueTopic("from-pub")
            let subscriber = TestClient(.forTest(broker, version: version))
            try await subscriber.client.connect()
            let granted = try await subscriber.client.subscribe([MQTTSubscription(topicFilter: "\(topic)/+", qos: qos)])
            #expect(granted == [.granted(qos)])

            try await MosquittoPublisher.publish(
                broker: broker,
                topic: "\(topic)/x",
                payload: "from mosquitto_pub",
                qos: Int(qos.rawValue),
                version: version.mosquitto
            )
            let message = try await subscriber.message(on: "\(topic)/x")
            #expect(String(buffer: message.payload) == "from mosquitto_pub")
            #expect(message.qos == qos)
            try await subscriber.client.disconnect()
        }
    }

    @Test("retained messages come back with the retain flag", arguments: [MQTTProtocolVersion.v3_1_1, .v5])
    func retained(version: MQTTProtocolVersion) async throws {
        try await withBroker { broker in
            let topic = uniqueTopic("retained")
            let publisher = TestClient(.forTest(broker, version: version))
            try await publisher.client.connect()
            try await publisher.client.publish(
                MQTTMessage(topic: topic, payload: "kept", qos: .atLeastOnce, retain: true)
            )

            let subscriber = TestClient(.forTest(broker, version: version))
            try await subscriber.client.connect()
            try await subscriber.client.subscribe([MQTTSubscription(topicFilter: topic, qos: .atLeastOnce)])
            let stored = try await subscriber.message(on: topic)
            #expect(stored.retain)
            #expect(String(buffer: stored.payload) == "kept")

            // A live delivery of a retained publish has the flag cleared.
            try await publisher.client.publish(
                MQTTMessage(topic: topic, payload: "live", qos: .atLeastOnce, retain: true)
            )
            let live = try await subscriber.messages.wait { String(buffer: $0.payload) == "live" }
            #expect(live.retain == false)

            // An empty retained message clears the store: a new subscriber gets nothing, which we check by
            // having it receive a later marker first.
            try await publisher.client.publish(MQTTMessage(topic: topic, payload: "", qos: .atLeastOnce, retain: true))
            let late = TestClient(.forTest(broker, version: version))
            try await late.client.connect()
            try await late.client.subscribe([MQTTSubscription(topicFilter: topic, qos: .atLeastOnce)])
            try await publisher.client.publish(MQTTMessage(topic: topic, payload: "marker", qos: .atLeastOnce))
            try await late.messages.wait { String(buffer: $0.payload) == "marker" }
            #expect(late.messages.all.map { String(buffer: $0.payload) } == ["marker"])

            for client in [publisher, subscriber, late] { try await client.client.disconnect() }
        }
    }

    @Test("after unsubscribe no more messages arrive", arguments: [MQTTProtocolVersion.v3_1_1, .v5])
    func unsubscribe(version: MQTTProtocolVersion) async throws {
        try await withBroker { broker in
            let topic = uniqueTopic("unsubscribe")
            let client = TestClient(.forTest(broker, version: version))
            try await client.client.connect()
            try await client.client.subscribe([
                MQTTSubscription(topicFilter: "\(topic)/gone", qos: .atLeastOnce),
                MQTTSubscription(topicFilter: "\(topic)/kept", qos: .atLeastOnce),
            ])
            try await client.client.unsubscribe(["\(topic)/gone"])
            // Same publisher, same connection: the broker handles these in order, so "kept" arriving means
            // "gone" would have arrived before it.
            try await MosquittoPublisher.publish(broker: broker, topic: "\(topic)/gone", payload: "1", qos: 1)
            try await MosquittoPublisher.publish(broker: broker, topic: "\(topic)/kept", payload: "2", qos: 1)
            try await client.message(on: "\(topic)/kept")
            #expect(client.messages.all.map(\.topic) == ["\(topic)/kept"])
            try await client.client.disconnect()
        }
    }

    @Test("v5 user properties and content type travel with the message")
    func v5Properties() async throws {
        try await withBroker { broker in
            let topic = uniqueTopic("properties")
            let client = TestClient(.forTest(broker, version: .v5))
            try await client.client.connect()
            try await client.client.subscribe([MQTTSubscription(topicFilter: topic, qos: .atLeastOnce)])
            let properties: MQTTProperties = [.contentType("text/plain"), .userProperty("device", "42")]
            try await client.client.publish(
                MQTTMessage(topic: topic, payload: "p", qos: .atLeastOnce, properties: properties)
            )
            let message = try await client.message(on: topic)
            #expect(message.properties.contentType == "text/plain")
            #expect(message.properties.userProperties.map(\.name) == ["device"])
            #expect(message.properties.userProperties.map(\.value) == ["42"])
            try await client.client.disconnect()
        }
    }

    @Test("requests without a connection fail with notConnected")
    func notConnected() async throws {
        let client = TestClient(
            MQTTClientConfiguration(host: "127.0.0.1", port: try FreePort.tcp(), clientID: "nobody")
        )
        await #expect(throws: MQTTClientError.notConnected) {
            try await client.client.publish(MQTTMessage(topic: "a", payload: "b", qos: .atLeastOnce))
        }
        await #expect(throws: MQTTClientError.notConnected) {
            try await client.client.subscribe([MQTTSubscription(topicFilter: "a")])
        }
    }
}
