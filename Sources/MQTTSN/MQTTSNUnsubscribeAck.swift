/// UNSUBACK (0x15): the answer to UNSUBSCRIBE.
///
/// ```
/// +--------+------+--------------+
/// | Length | 0x15 |    MsgId     |
/// |   1    |  1   | 2 big-endian |
/// +--------+------+--------------+
/// ```
public struct MQTTSNUnsubscribeAck: Sendable, Hashable {
    /// The message id of the exchange.
    public var messageID: UInt16

    public init(messageID: UInt16) {
        self.messageID = messageID
    }
}
