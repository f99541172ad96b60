import NIOCore

/// WILLMSG (0x09): a client's will message.
///
/// ```
/// +--------+------+---------+
/// | Length | 0x09 | WillMsg |
/// |   1    |  1   |    n    |
/// +--------+------+---------+
/// ```
public struct MQTTSNWillMessage: Sendable, Hashable {
    /// The will message, opaque octets.
    public var message: ByteBuffer

    public init(message: ByteBuffer) {
        self.message = message
    }
}
