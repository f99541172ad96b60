import NIOCore

/// WILLMSGUPD (0x1C): a connected client changing its will message.
///
/// ```
/// +--------+------+---------+
/// | Length | 0x1C | WillMsg |
/// |   1    |  1   |    n    |
/// +--------+------+---------+
/// ```
public struct MQTTSNWillMessageUpdate: Sendable, Hashable {
    /// The new will message, opaque octets.
    public var message: ByteBuffer

    public init(message: ByteBuffer) {
        self.message = message
    }
}
