/// SUBACK (0x13): the answer to SUBSCRIBE.
///
/// ```
/// +--------+------+-------+--------------+--------------+------------+
/// | Length | 0x13 | Flags |   TopicId    |    MsgId     | ReturnCode |
/// |   1    |  1   |   1   | 2 big-endian | 2 big-endian |     1      |
/// +--------+------+-------+--------------+--------------+------------+
/// Flags: granted QoS (bits 6-5, not -1); the other bits are not relevant.
/// ```
public struct MQTTSNSubscribeAck: Sendable, Hashable {
    /// The granted QoS (0, 1 or 2).
    public var qos: MQTTSNQoS
    /// The topic id assigned for a topic name without wildcards; 0x0000 otherwise.
    public var topicID: UInt16
    /// The message id of the SUBSCRIBE answered.
    public var messageID: UInt16
    /// Whether the subscription was accepted.
    public var returnCode: MQTTSNReturnCode

    public init(qos: MQTTSNQoS, topicID: UInt16, messageID: UInt16, returnCode: MQTTSNReturnCode) {
        self.qos = qos
        self.topicID = topicID
        self.messageID = messageID
        self.returnCode = returnCode
    }
}
