/// PUBACK (0x0D): acknowledges a QoS 1 PUBLISH, or rejects a PUBLISH of any QoS.
///
/// ```
/// +--------+------+--------------+--------------+------------+
/// | Length | 0x0D |   TopicId    |    MsgId     | ReturnCode |
/// |   1    |  1   | 2 big-endian | 2 big-endian |     1      |
/// +--------+------+--------------+--------------+------------+
/// ```
public struct MQTTSNPublishAck: Sendable, Hashable {
    /// The topic id of the PUBLISH answered.
    public var topicID: UInt16
    /// The message id of the PUBLISH answered.
    public var messageID: UInt16
    /// Whether the PUBLISH was accepted.
    public var returnCode: MQTTSNReturnCode

    public init(topicID: UInt16, messageID: UInt16, returnCode: MQTTSNReturnCode) {
        self.topicID = topicID
        self.messageID = messageID
        self.returnCode = returnCode
    }
}
