import MQTTSN

/// The answer to a client message the gateway will not act on, and why (``ClientRefusalReason``).
///
/// Most refusals concern messages that did not decode but whose type and message id can still be read
/// (``MQTTSNMessageHeader``): the client gets the return code the specification has for it instead of silence,
/// so it stops retrying at once.
///
/// | Message that failed to decode                     | Answer                          |
/// |---------------------------------------------------|---------------------------------|
/// | CONNECT (client id empty, too long, not UTF-8...) | CONNACK 0x03                    |
/// | PINGREQ (client id too long or not UTF-8)         | DISCONNECT                      |
/// | SUBSCRIBE (TopicIdType 0b11, bad name, QoS -1)    | SUBACK 0x03, the message id     |
/// | UNSUBSCRIBE (TopicIdType 0b11, bad name)          | UNSUBACK (nothing was there)    |
/// | REGISTER (name too long, empty, not UTF-8)        | REGACK 0x03, the message id     |
/// | WILLTOPIC (name too long or invalid, QoS -1)      | CONNACK 0x03, the exchange ends |
/// | WILLTOPICUPD (the same)                           | WILLTOPICRESP 0x03              |
struct ClientRefusal: Hashable, Sendable {
    var reason: ClientRefusalReason
    var answer: MQTTSNPacket

    init(_ reason: ClientRefusalReason, answer: MQTTSNPacket) {
        self.reason = reason
        self.answer = answer
    }

    static let connectNotSupported = MQTTSNPacket.connectAck(MQTTSNConnectAck(returnCode: .rejectedNotSupported))

    /// The refusal for a message that failed to decode with `error`, or `nil` when there is nothing sensible to
    /// answer (an unknown type, a truncated message id, a message only the gateway sends).
    init?(undecodable header: MQTTSNMessageHeader, error: MQTTSNDecodingError) {
        switch header.type {
        case .connect:
            // Flags, ProtocolId, Duration, ClientId.
            let reason: ClientRefusalReason =
                error == .emptyClientID
                ? .clientIDEmpty : error.clientIDOverrun != nil ? .clientIDTooLong : .connectMalformed
            self.init(reason, answer: Self.connectNotSupported)
        case .pingRequest:
            self.init(.pingClientIDInvalid, answer: .disconnect(MQTTSNDisconnect()))
        case .subscribe:
            // Flags, MsgId, topic.
            guard let flags = header.octet(at: 0).map(MQTTSNFlags.init(rawValue:)),
                let messageID = header.uint16(at: 1),
                let reason = Self.topicReason(error, allowsQoSError: true)
            else { return nil }
            let qos = flags.qos == .fireAndForget ? MQTTSNQoS.atMostOnce : flags.qos
            self.init(
                reason,
                answer: .subscribeAck(
                    MQTTSNSubscribeAck(qos: qos, topicID: 0, messageID: messageID, returnCode: .rejectedNotSupported)
                )
            )
        case .unsubscribe:
            // Flags, MsgId, topic. UNSUBACK has no return code; nothing can be subscribed under such a topic.
            guard let messageID = header.uint16(at: 1), let reason = Self.topicReason(error, allowsQoSError: false)
            else {
                return nil
            }
            self.init(reason, answer: .unsubscribeAck(MQTTSNUnsubscribeAck(messageID: messageID)))
        case .register:
            // TopicId, MsgId, TopicName.
            guard let messageID = header.uint16(at: 2), let reason = Self.topicReason(error, allowsQoSError: false)
            else {
                return nil
            }
            self.init(
                reason,
                answer: .registerAck(
                    MQTTSNRegisterAck(topicID: 0, messageID: messageID, returnCode: .rejectedNotSupported)
                )
            )
        case .willTopic:
            self.init(Self.willReason(error), answer: Self.connectNotSupported)
        case .willTopicUpdate:
            self.init(
                Self.willReason(error),
                answer: .willTopicResponse(MQTTSNWillTopicResponse(returnCode: .rejectedNotSupported))
            )
        default:
            return nil
        }
    }

    private static func topicReason(_ error: MQTTSNDecodingError, allowsQoSError: Bool) -> ClientRefusalReason? {
        if error == .reservedTopicIDType { return .topicIDTypeReserved }
        if error.topicNameOverrun != nil { return .topicNameTooLong }
        if error == .emptyTopicName || error == .invalidUTF8 { return .topicNameInvalid }
        if allowsQoSError, error == .invalidQoS(.fireAndForget) { return .subscribeQoSInvalid }
        return nil
    }

    private static func willReason(_ error: MQTTSNDecodingError) -> ClientRefusalReason {
        error.topicNameOverrun != nil ? .willTopicTooLong : .willTopicInvalid
    }
}
