/// REGISTER (0x0A): asks for (client to gateway) or announces (gateway to client) the topic id of a topic name.
///
/// ```
/// +--------+------+--------------+--------------+-----------+
/// | Length | 0x0A |   TopicId    |    MsgId     | TopicName |
/// |   1    |  1   | 2 big-endian | 2 big-endian |   1...n   |
/// +--------+------+--------------+--------------+-----------+
/// ```
public struct MQTTSNRegister: Sendable, Hashable {
    /// The topic id; 0x0000 when a client asks for one.
    public var topicID: UInt16
    /// Matches the REGACK to this REGISTER.
    public var messageID: UInt16
    /// The topic name, UTF-8, never empty.
    public var topicName: String

    public init(topicID: UInt16 = 0, messageID: UInt16, topicName: String) {
        self.topicID = topicID
        self.messageID = messageID
        self.topicName = topicName
    }
}
