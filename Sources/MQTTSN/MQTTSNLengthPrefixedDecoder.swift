import NIOCore

/// Splits a byte stream (a serial line speaking "raw" MQTT-SN, as existing MQTT-SN serial bridges do) into whole
/// MQTT-SN messages, using each message's own length field.
///
/// ```
/// stream:  | 05 0D .. .. .. | 01 01 2C 0C ...(300 octets)... | 03 FE 00 | 02 17 | ...
///           '- message 1 -' '---------- message 2 ----------' '- message 3 ---'
/// ```
///
/// Each emitted `ByteBuffer` holds exactly one message, length field included, ready for
/// ``MQTTSNPacket/decode(from:limits:)``. A forwarder encapsulation (0xFE) is emitted together with the message it
/// carries, because its own length covers only its header.
///
/// The decoder only frames; it does not parse bodies. It rejects a declared length below the header size with
/// ``MQTTSNDecodingError/lengthTooSmall(declared:)`` and one above `maximumMessageLength` with
/// ``MQTTSNDecodingError/messageTooLarge(length:limit:)`` before buffering it, so a peer cannot make it hold more
/// than `maximumMessageLength` octets. A byte stream has no way to resynchronise after such an error, so the
/// channel should be closed.
public struct MQTTSNLengthPrefixedDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    /// The largest whole message accepted, 4...65535.
    public let maximumMessageLength: Int

    /// Creates a decoder accepting messages up to `maximumMessageLength` octets (clamped to 4...65535).
    public init(maximumMessageLength: Int = MQTTSNDecodingLimits.default.maximumMessageLength) {
        // The limits type owns the clamping rule.
        let clamped = MQTTSNDecodingLimits(maximumMessageLength: maximumMessageLength)
        self.maximumMessageLength = clamped.maximumMessageLength
    }

    /// Creates a decoder with the message size cap of `limits`.
    public init(limits: MQTTSNDecodingLimits) {
        self.maximumMessageLength = limits.maximumMessageLength
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        guard let messageLength = try self.lengthOfFirstMessage(in: buffer) else {
            return nil
        }
        return buffer.readSlice(length: messageLength)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        // An incomplete message at the end of the stream stays in the buffer, for ByteToMessageHandler to report
        // as left-over data.
        try self.decode(buffer: &buffer)
    }

    /// The total length of the message at the reader index, or `nil` when more bytes are needed to know it or to
    /// hold it all.
    private func lengthOfFirstMessage(in buffer: ByteBuffer) throws(MQTTSNDecodingError) -> Int? {
        guard let (totalLength, fieldLength) = try buffer.getMQTTSNLengthField(at: buffer.readerIndex) else {
            return nil
        }
        try self.checkSize(totalLength)
        guard let type = buffer.getInteger(at: buffer.readerIndex + fieldLength, as: UInt8.self) else {
            return nil
        }
        guard type == MQTTSNMessageType.forwarderEncapsulation.rawValue else {
            return buffer.readableBytes >= totalLength ? totalLength : nil
        }
        let encapsulatedIndex = buffer.readerIndex + totalLength
        guard let (encapsulatedLength, _) = try buffer.getMQTTSNLengthField(at: encapsulatedIndex) else {
            return nil
        }
        let combinedLength = totalLength + encapsulatedLength
        try self.checkSize(combinedLength)
        return buffer.readableBytes >= combinedLength ? combinedLength : nil
    }

    private func checkSize(_ length: Int) throws(MQTTSNDecodingError) {
        guard length <= self.maximumMessageLength else {
            throw .messageTooLarge(length: length, limit: self.maximumMessageLength)
        }
    }
}
