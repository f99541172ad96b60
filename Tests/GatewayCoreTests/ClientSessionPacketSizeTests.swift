import MQTTSN
import NIOCore
import Testing

@testable import GatewayCore

@Suite("Client session: broker messages larger than the client can take")
struct ClientSessionPacketSizeTests {
    @Test(
        "Encoded sizes count the length field's three-octet form above 255",
        arguments: [
            (0, 7), (248, 255), (249, 258), (400, 409),
        ]
    )
    func publishSizes(payload: Int, size: Int) {
        let message = UpstreamMessage(
            topic: "t",
            payload: ByteBuffer(repeating: 0x61, count: payload),
            qos: .atMostOnce,
            retain: false
        )
        #expect(ClientSessionStateMachine.publishSize(of: message) == size)
        var encoded = ByteBuffer()
        try? MQTTSNPacket.publish(
            .init(qos: .atMostOnce, topicIDType: .normal, topicID: 1, messageID: 0, payload: message.payload)
        )
        .encode(into: &encoded)
        #expect(encoded.readableBytes == size)
    }

    @Test("A message over the maximum packet size is dropped at once and the one behind it delivered")
    func tooLargeThenSmall() {
        var harness = StateMachineHarness.active(keepAlive: 0)
        harness.machine.maximumPacketSize = 64
        let large = UpstreamMessage.text("predefined/seven", String(repeating: "x", count: 200), qos: .atLeastOnce)
        _ = harness.machine.enqueue(large)
        _ = harness.machine.enqueue(.text("predefined/seven", "small", qos: .atLeastOnce))
        #expect(harness.machine.nextDelivery(now: harness.at(0)) == .deliveryDropped(large, .tooLarge, size: 207))
        #expect(
            harness.machine.nextDelivery(now: harness.at(0))
                == .send(.publish(.text("small", qos: .atLeastOnce, topicID: 7, type: .predefined, messageID: 1)))
        )
        #expect(harness.machine.state == .active)
    }

    @Test("A topic whose REGISTER would not fit is dropped without taking a topic id")
    func registerTooLarge() {
        var harness = StateMachineHarness.active(keepAlive: 0)
        harness.machine.maximumPacketSize = 32
        let longTopic = UpstreamMessage.text(String(repeating: "t", count: 40), "v")
        _ = harness.machine.enqueue(longTopic)
        #expect(harness.machine.nextDelivery(now: harness.at(0)) == .deliveryDropped(longTopic, .tooLarge, size: 46))
        #expect(harness.machine.registry.count == 0)
    }

    @Test("Retries used up on a REGISTER: the message goes, the topic id is given back, the next one registers")
    func registerRetriesExhausted() {
        var harness = StateMachineHarness.active(keepAlive: 0)
        let first = UpstreamMessage.text("dev/a", "1", qos: .atLeastOnce)
        _ = harness.machine.enqueue(first)
        _ = harness.machine.enqueue(.text("dev/b", "2", qos: .atLeastOnce))
        guard case .send(.register(let register)) = harness.machine.nextDelivery(now: harness.at(0)) else {
            Issue.record("expected REGISTER")
            return
        }
        _ = harness.machine.tick(now: harness.at(2))
        _ = harness.machine.tick(now: harness.at(4))
        #expect(harness.machine.tick(now: harness.at(6)) == .deliveryDropped(first, .retriesExhausted, size: 11))
        #expect(harness.machine.registry.outboundTopic(for: "dev/a") == nil)
        guard case .send(.register(let next)) = harness.machine.nextDelivery(now: harness.at(6)) else {
            Issue.record("expected the next REGISTER")
            return
        }
        #expect(next.topicName == "dev/b" && next.messageID != register.messageID)
    }
}
