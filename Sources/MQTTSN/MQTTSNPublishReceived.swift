/// PUBREC (0x0F): the first answer to a QoS 2 PUBLISH.
///
/// ```
/// +--------+------+--------------+
/// | Length | 0x0F |    MsgId     |
/// |   1    |  1   | 2 big-endian |
/// +--------+------+--------------+
/// ```
public struct MQTTSNPublishReceived: Sendable, Hashable {
    /// The message id of the exchange.
    public var messageID: UInt16

    public init(messageID: UInt16) {
        self.messageID = messageID
    }
}
