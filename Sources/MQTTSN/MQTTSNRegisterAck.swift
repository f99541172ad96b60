/// REGACK (0x0B): the answer to REGISTER.
///
/// ```
/// +--------+------+--------------+--------------+------------+
/// | Length | 0x0B |   TopicId    |    MsgId     | ReturnCode |
/// |   1    |  1   | 2 big-endian | 2 big-endian |     1      |
/// +--------+------+--------------+--------------+------------+
/// ```
public struct MQTTSNRegisterAck: Sendable, Hashable {
    /// The topic id assigned (when sent by the gateway).
    public var topicID: UInt16
    /// The message id of the REGISTER answered.
    public var messageID: UInt16
    /// Whether the registration was accepted.
    public var returnCode: MQTTSNReturnCode

    public init(topicID: UInt16, messageID: UInt16, returnCode: MQTTSNReturnCode) {
        self.topicID = topicID
        self.messageID = messageID
        self.returnCode = returnCode
    }
}
