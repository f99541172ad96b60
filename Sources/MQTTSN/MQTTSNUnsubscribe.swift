/// UNSUBSCRIBE (0x14): a client removing a subscription.
///
/// ```
/// +--------+------+-------+--------------+-------------------------+
/// | Length | 0x14 | Flags |    MsgId     | TopicName or TopicId    |
/// |   1    |  1   |   1   | 2 big-endian | 1...n      or 2 octets  |
/// +--------+------+-------+--------------+-------------------------+
/// Flags: TopicIdType (bits 1-0) from `topic`; the other bits are not relevant.
/// ```
public struct MQTTSNUnsubscribe: Sendable, Hashable {
    /// Matches the UNSUBACK.
    public var messageID: UInt16
    /// What to unsubscribe from.
    public var topic: MQTTSNTopic

    public init(messageID: UInt16, topic: MQTTSNTopic) {
        self.messageID = messageID
        self.topic = topic
    }
}
