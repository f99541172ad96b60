import MQTTClient
import NIOCore
import TestSupport
import Testing

/// Packet size limits and refusals by mosquitto's configuration.
@Suite("mosquitto: limits and refusals", .timeLimit(.minutes(1)))
struct LimitsIntegrationTests {
    @Test("mosquitto's max_packet_size reaches us in CONNACK and a too-large publish fails before it is sent")
    func brokerMaximumPacketSize() async throws {
        try await withBroker(.init(extraConfiguration: ["max_packet_size 200"])) { broker in
            let topic = uniqueTopic("max-size")
            let client = TestClient(.forTest(broker, version: .v5))
            let result = try await client.client.connect()
            #expect(result.properties.maximumPacketSize == 200)
            try await client.client.subscribe([MQTTSubscription(topicFilter: topic, qos: .atLeastOnce)])

            await #expect(throws: MQTTClientError.packetTooLarge) {
                try await client.client.publish(
                    MQTTMessage(topic: topic, payload: String(repeating: "x", count: 300), qos: .atLeastOnce)
                )
            }
            // The connection is untouched and a message that fits goes through.
            try await client.client.publish(MQTTMessage(topic: topic, payload: "fits", qos: .atLeastOnce))
            try await client.message(on: topic)
            #expect(client.messages.all.map { String(buffer: $0.payload) } == ["fits"])
            #expect(!client.events.all.contains { $0.isDisconnected })
            try await client.client.disconnect()
        }
    }

    @Test("our maximum packet size: a v5 broker drops what we cannot take")
    func ourMaximumPacketSizeV5() async throws {
        try await withBroker { broker in
            let topic = uniqueTopic("our-max")
            var configuration = MQTTClientConfiguration.forTest(broker, version: .v5)
            configuration.maximumPacketSize = 100
            let client = TestClient(configuration)
            try await client.client.connect()
            try await client.client.subscribe([MQTTSubscription(topicFilter: topic, qos: .atLeastOnce)])
            try await MosquittoPublisher.publish(
                broker: broker,
                topic: topic,
                payload: String(repeating: "x", count: 300),
                qos: 1
            )
            try await MosquittoPublisher.publish(broker: broker, topic: topic, payload: "small", qos: 1)
            try await client.message(on: topic)
            #expect(client.messages.all.map { String(buffer: $0.payload) } == ["small"])
            try await client.client.disconnect()
        }
    }

    @Test("our maximum packet size: a 3.1.1 broker that sends more is disconnected")
    func ourMaximumPacketSizeV3() async throws {
        try await withBroker { broker in
            let topic = uniqueTopic("our-max")
            var configuration = MQTTClientConfiguration.forTest(broker, version: .v3_1_1)
            configuration.maximumPacketSize = 100
            let client = TestClient(configuration)
            try await client.client.connect()
            try await client.client.subscribe([MQTTSubscription(topicFilter: topic, qos: .atLeastOnce)])
            try await MosquittoPublisher.publish(
                broker: broker,
                topic: topic,
                payload: String(repeating: "x", count: 300),
                qos: 1,
                version: .mqttv311
            )
            let event = try await client.events.wait { $0.isDisconnected }
            #expect(event == .disconnected(.protocolViolation, other: nil))
            #expect(client.messages.all.isEmpty)
        }
    }

    /// Anonymous clients may subscribe to anything but `forbidden/#`.
    static let denyForbiddenSubscriptions = """
        {
          "defaultACLAccess": {"publishClientSend": true, "publishClientReceive": true, "subscribe": true, "unsubscribe": true},
          "clients": [],
          "groups": [{"groupname": "anonymous", "roles": [{"rolename": "limited"}]}],
          "roles": [{"rolename": "limited", "acls": [{"acltype": "subscribePattern", "topic": "forbidden/#", "priority": 0, "allow": false}]}],
          "anonymousGroup": "anonymous"
        }
        """

    @Test("a subscription the broker's ACL denies is refused in SUBACK", arguments: [MQTTProtocolVersion.v3_1_1, .v5])
    func subscriptionDenied(version: MQTTProtocolVersion) async throws {
        try await withBroker(.init(dynamicSecurity: Self.denyForbiddenSubscriptions)) { broker in
            let client = TestClient(.forTest(broker, version: version))
            try await client.client.connect()
            let results = try await client.client.subscribe([
                MQTTSubscription(topicFilter: "allowed/x", qos: .atLeastOnce),
                MQTTSubscription(topicFilter: "forbidden/x", qos: .atLeastOnce),
            ])
            #expect(results.count == 2)
            #expect(results.first == .granted(.atLeastOnce))
            // MQTT 5.0 says why (0x87); MQTT 3.1.1 only has "failure" (0x80).
            let expected: MQTTSubscriptionError = version == .v5 ? .notAuthorized : .failure
            #expect(results[1] == .rejected(expected))
            #expect(throws: expected) { try results[1].get() }
            try await client.client.disconnect()
        }
    }

    @Test("an ACL-denied v5 publish fails with the PUBACK reason code")
    func publishDenied() async throws {
        try await withBroker(.init(accessControl: ["topic readwrite allowed/#"])) { broker in
            let client = TestClient(.forTest(broker, version: .v5))
            try await client.client.connect()
            try await client.client.publish(MQTTMessage(topic: "allowed/x", payload: "ok", qos: .atLeastOnce))
            await #expect(throws: MQTTClientError.rejected(.notAuthorized)) {
                try await client.client.publish(MQTTMessage(topic: "forbidden/x", payload: "no", qos: .atLeastOnce))
            }
            try await client.client.disconnect()
        }
    }
}
