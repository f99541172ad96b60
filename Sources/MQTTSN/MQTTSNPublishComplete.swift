/// PUBCOMP (0x0E): the last step of a QoS 2 exchange, answering PUBREL.
///
/// ```
/// +--------+------+--------------+
/// | Length | 0x0E |    MsgId     |
/// |   1    |  1   | 2 big-endian |
/// +--------+------+--------------+
/// ```
public struct MQTTSNPublishComplete: Sendable, Hashable {
    /// The message id of the exchange.
    public var messageID: UInt16

    public init(messageID: UInt16) {
        self.messageID = messageID
    }
}
