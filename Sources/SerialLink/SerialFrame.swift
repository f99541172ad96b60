import NIOCore

/// One frame of the serial link: a type byte and its payload. The CRC and COBS exist only on the wire.
///
/// ```
///  decoded:  +------+-----------------+--------+--------+
///            | type | payload (n)     | CRC hi | CRC lo |   CRC-16/CCITT-FALSE over type and payload
///            +------+-----------------+--------+--------+
///  wire:     00 | COBS(decoded) | 00
/// ```
public struct SerialFrame: Hashable, Sendable {
    /// The hard cap on a decoded frame, type and CRC included.
    public static let hardMaximumSize = 1024
    /// The smallest maximum frame size a side may announce.
    public static let minimumAnnouncedMaximumSize = 64
    /// Type byte plus CRC.
    public static let overhead = 3

    public var type: SerialFrameType
    public var payload: ByteBuffer

    public init(type: SerialFrameType, payload: ByteBuffer = ByteBuffer()) {
        self.type = type
        self.payload = payload
    }

    /// Size of the decoded frame: type, payload and CRC.
    public var decodedSize: Int {
        self.payload.readableBytes + Self.overhead
    }
}
