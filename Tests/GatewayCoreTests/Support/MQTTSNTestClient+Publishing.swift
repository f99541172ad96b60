import MQTTSN
import NIOCore

extension MQTTSNTestClient {
    /// PUBLISH at QoS 1 or 2 and the PUBACK (QoS 1, or a refusal at QoS 2) or a PUBREC turned into an accepted ack.
    func publish(
        _ payload: String,
        topicID: UInt16,
        type: MQTTSNTopicIDType = .normal,
        qos: MQTTSNQoS = .atLeastOnce,
        messageID: UInt16,
        timeout: TimeAmount = .seconds(5)
    ) async throws -> MQTTSNReturnCode {
        try await self.send(
            .publish(
                MQTTSNPublish(
                    qos: qos,
                    topicIDType: type,
                    topicID: topicID,
                    messageID: messageID,
                    payload: ByteBuffer(string: payload)
                )
            )
        )
        return try await self.receive(timeout: timeout) { packet in
            switch packet {
            case .publishAck(let ack) where ack.messageID == messageID: ack.returnCode
            case .publishReceived(let received) where received.messageID == messageID: .accepted
            default: nil
            }
        }
    }

    /// The next PUBLISH from the gateway, acknowledged when it asks for it.
    func receivePublish(timeout: TimeAmount = .seconds(5)) async throws -> MQTTSNPublish {
        let publish = try await self.receive(timeout: timeout) { packet -> MQTTSNPublish? in
            if case .publish(let publish) = packet { return publish }
            return nil
        }
        if publish.qos == .atLeastOnce {
            try await self.send(
                .publishAck(
                    MQTTSNPublishAck(topicID: publish.topicID, messageID: publish.messageID, returnCode: .accepted)
                )
            )
        }
        return publish
    }
}
