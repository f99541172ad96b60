import GatewayCore
import MQTTSN
import NIOCore
import Testing

/// Refusals through the gateway over real UDP in front of a real mosquitto: counted by reason, not as malformed,
/// and a refused will exchange leaves no session behind.
@Suite("Gateway refusals", .serialized, .timeLimit(.minutes(1)))
struct GatewayRefusalTests {
    @Test("Each refusal is answered and counted by its reason; the connected session stays usable")
    func countedByReason() async throws {
        try await GatewayFixture.with(
            configure: { $0.maxTopicNameLength = 16 },
            { fixture in
                let client = try await fixture.connectedClient("refused-1")
                try await client.sendRaw(ByteBuffer(bytes: [0x07, 0x12, 0x03, 0x00, 0x05, 0x00, 0x01]))
                let suback = try await client.receive { packet -> MQTTSNSubscribeAck? in
                    if case .subscribeAck(let ack) = packet { return ack }
                    return nil
                }
                #expect(
                    suback
                        == MQTTSNSubscribeAck(
                            qos: .atMostOnce,
                            topicID: 0,
                            messageID: 5,
                            returnCode: .rejectedNotSupported
                        )
                )
                let ack = try await client.register(String(repeating: "r", count: 17), messageID: 6)
                #expect(ack.returnCode == .rejectedNotSupported && ack.topicID == 0)
                #expect(try await client.register("refused/ok", messageID: 7).returnCode == .accepted)
                try await fixture.waitUntil { sessions, statistics in
                    statistics.refusedMessages == ["topic_id_type_reserved": 1, "topic_name_too_long": 1]
                        && statistics.malformedMessages == 0 && sessions.contains { $0.clientID == "refused-1" }
                }
                await client.close()
            }
        )
    }

    @Test("REGISTER during the will exchange: DISCONNECT, the session is gone, and the client can start over")
    func outOfOrderWillExchange() async throws {
        try await GatewayFixture.with { fixture in
            let client = try await fixture.client()
            try await client.send(.connect(MQTTSNConnect(will: true, duration: 60, clientID: "will-order")))
            #expect(try await client.receive() == .willTopicRequest(MQTTSNWillTopicRequest()))
            try await client.send(.register(MQTTSNRegister(messageID: 1, topicName: "a/b")))
            #expect(try await client.receive() == .disconnect(MQTTSNDisconnect()))
            try await fixture.waitUntil { sessions, statistics in
                statistics.refusedMessages["will_handshake_out_of_order"] == 1
                    && !sessions.contains { $0.clientID == "will-order" && $0.state != .lost }
            }
            let code = try await client.connect(clientID: "will-order", will: ("will/order", "gone", .atLeastOnce))
            #expect(code == .accepted)
            await client.close()
        }
    }
}
