import MQTTSN

extension ClientSessionStateMachine {
    /// The gateway refused to publish a PUBLISH of the client upstream (its ACL does not allow the topic): QoS 1 and
    /// 2 get PUBACK "rejected: not supported" (0x03) and the message id is free again; QoS 0 is dropped (the gateway
    /// counted and logged the refusal already).
    mutating func upstreamPublishRefused(_ completion: UpstreamPublishCompletion) -> ClientSessionAction {
        switch completion {
        case .none:
            return .none
        case .publishAck(let topicID, let messageID), .publishReceived(let topicID, let messageID):
            self.publishingUpstream.remove(messageID)
            return .send(
                .publishAck(MQTTSNPublishAck(topicID: topicID, messageID: messageID, returnCode: .rejectedNotSupported))
            )
        }
    }
}
