import NIOCore

/// The gateway's acceptance of a HELLO.
///
/// ```
/// +---------+---------------+-----------------+
/// | version | max frame u16 | keepalive s u16 |
/// +---------+---------------+-----------------+
/// ```
public struct HelloAck: Hashable, Sendable {
    /// The accepted protocol version: the highest both sides implement.
    public var version: UInt8
    /// The gateway's maximum decoded frame size; the link maximum is the smaller of both sides'.
    public var maximumFrameSize: UInt16
    /// Link keepalive interval in seconds; 0 disables it.
    public var keepaliveSeconds: UInt16

    public init(version: UInt8, maximumFrameSize: UInt16, keepaliveSeconds: UInt16) {
        self.version = version
        self.maximumFrameSize = maximumFrameSize
        self.keepaliveSeconds = keepaliveSeconds
    }
}

extension HelloAck {
    init(payload: ByteBuffer) throws(SerialFrameError) {
        var buffer = payload
        guard buffer.readableBytes == 5,
            let version = buffer.readInteger(as: UInt8.self),
            let maximumFrameSize = buffer.readInteger(as: UInt16.self),
            let keepalive = buffer.readInteger(as: UInt16.self)
        else {
            throw .malformedPayload("HELLO-ACK must be 5 bytes")
        }
        self.init(version: version, maximumFrameSize: maximumFrameSize, keepaliveSeconds: keepalive)
    }

    func write(into buffer: inout ByteBuffer) {
        buffer.writeInteger(self.version)
        buffer.writeInteger(self.maximumFrameSize)
        buffer.writeInteger(self.keepaliveSeconds)
    }
}
