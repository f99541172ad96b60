import NIOCore

/// The length field and message type of one message, read without decoding its body.
///
/// A gateway uses it to answer a message that failed to decode: a SUBSCRIBE whose topic id type is reserved still
/// carries the message id its SUBACK must echo, a CONNECT with an over-long client id still deserves a CONNACK.
///
/// ```
/// +--------+---------+--------------------------------+
/// | Length | MsgType | body (fields of MsgType)        |
/// | 1 or 3 |    1    | Length - 2 (or - 4) octets      |
/// +--------+---------+--------------------------------+
/// ```
///
/// Nothing is allocated: ``body`` is a slice of the buffer it was read from.
public struct MQTTSNMessageHeader: Sendable, Hashable {
    /// The message type; only defined types have a header.
    public var type: MQTTSNMessageType
    /// The octets after `MsgType`, up to the declared length or the end of the buffer, whichever comes first.
    public var body: ByteBuffer

    /// Reads the header at the start of `buffer`; `nil` when there is no length field and defined type.
    public init?(peeking buffer: ByteBuffer) {
        guard let (totalLength, fieldLength) = try? buffer.getMQTTSNLengthField(at: buffer.readerIndex),
            let code = buffer.getInteger(at: buffer.readerIndex + fieldLength, as: UInt8.self),
            let type = MQTTSNMessageType(rawValue: code)
        else {
            return nil
        }
        let bodyLength = min(totalLength, buffer.readableBytes) - fieldLength - 1
        guard bodyLength >= 0, let body = buffer.getSlice(at: buffer.readerIndex + fieldLength + 1, length: bodyLength)
        else {
            return nil
        }
        self.type = type
        self.body = body
    }

    /// The one-octet field at `offset` in the body, if the body is that long.
    public func octet(at offset: Int) -> UInt8? {
        self.body.getInteger(at: self.body.readerIndex + offset, as: UInt8.self)
    }

    /// The two-octet (big-endian) field at `offset` in the body, if the body is that long.
    public func uint16(at offset: Int) -> UInt16? {
        self.body.getInteger(at: self.body.readerIndex + offset, as: UInt16.self)
    }
}
