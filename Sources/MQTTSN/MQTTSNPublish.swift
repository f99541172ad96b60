import NIOCore

/// PUBLISH (0x0C): application data for a topic.
///
/// ```
/// +--------+------+-------+--------------+--------------+------+
/// | Length | 0x0C | Flags |   TopicId    |    MsgId     | Data |
/// |   1|3  |  1   |   1   | 2 big-endian | 2 big-endian |  n   |
/// +--------+------+-------+--------------+--------------+------+
/// Flags: DUP (bit 7), QoS (bits 6-5, -1 allowed), Retain (bit 4), TopicIdType (bits 1-0).
/// ```
public struct MQTTSNPublish: Sendable, Hashable {
    /// This is a retransmission.
    public var dup: Bool
    /// The quality of service; QoS -1 is only meaningful with a predefined topic id or a short name,
    /// which the gateway (not the codec) checks.
    public var qos: MQTTSNQoS
    /// The broker should retain the message.
    public var retain: Bool
    /// How to read `topicID`.
    public var topicIDType: MQTTSNTopicIDType
    /// A registered or predefined topic id, or a short topic name's two octets
    /// (see ``MQTTSNShortTopicName/rawValue``).
    public var topicID: UInt16
    /// Matches acknowledgements; 0x0000 for QoS 0 and -1.
    public var messageID: UInt16
    /// The application data.
    public var payload: ByteBuffer

    public init(
        dup: Bool = false,
        qos: MQTTSNQoS,
        retain: Bool = false,
        topicIDType: MQTTSNTopicIDType = .normal,
        topicID: UInt16,
        messageID: UInt16 = 0,
        payload: ByteBuffer
    ) {
        self.dup = dup
        self.qos = qos
        self.retain = retain
        self.topicIDType = topicIDType
        self.topicID = topicID
        self.messageID = messageID
        self.payload = payload
    }
}
