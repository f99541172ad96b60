/// SUBSCRIBE (0x12): a client subscribing to a topic name, filter, predefined topic id or short name.
///
/// ```
/// +--------+------+-------+--------------+-------------------------+
/// | Length | 0x12 | Flags |    MsgId     | TopicName or TopicId    |
/// |   1    |  1   |   1   | 2 big-endian | 1...n      or 2 octets  |
/// +--------+------+-------+--------------+-------------------------+
/// Flags: DUP (bit 7), requested QoS (bits 6-5, not -1), TopicIdType (bits 1-0) from `topic`.
/// ```
public struct MQTTSNSubscribe: Sendable, Hashable {
    /// This is a retransmission.
    public var dup: Bool
    /// The requested QoS (0, 1 or 2).
    public var qos: MQTTSNQoS
    /// Matches the SUBACK.
    public var messageID: UInt16
    /// What to subscribe to.
    public var topic: MQTTSNTopic

    public init(dup: Bool = false, qos: MQTTSNQoS, messageID: UInt16, topic: MQTTSNTopic) {
        self.dup = dup
        self.qos = qos
        self.messageID = messageID
        self.topic = topic
    }
}
