/// PUBREL (0x10): the answer to PUBREC in a QoS 2 exchange.
///
/// ```
/// +--------+------+--------------+
/// | Length | 0x10 |    MsgId     |
/// |   1    |  1   | 2 big-endian |
/// +--------+------+--------------+
/// ```
public struct MQTTSNPublishRelease: Sendable, Hashable {
    /// The message id of the exchange.
    public var messageID: UInt16

    public init(messageID: UInt16) {
        self.messageID = messageID
    }
}
