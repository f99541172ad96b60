import NIOCore

/// Frames and decodes MQTT packets from a byte stream.
///
/// The fixed header is inspected before the body has arrived, so a packet announcing more than
/// ``maximumPacketSize`` bytes is rejected at once instead of being buffered.
///
///     ┌────────────┬──────────────────────────┬────────────────────────────┐
///     │ first byte │ remaining length (1...4) │ body: remaining length bytes│
///     └────────────┴──────────────────────────┴────────────────────────────┘
public struct MQTTPacketDecoder: NIOSingleStepByteToMessageDecoder, Sendable {
    public typealias InboundOut = MQTTPacket

    /// Decides whether MQTT 5.0 reason codes and properties are expected.
    public var protocolVersion: MQTTProtocolVersion
    /// The largest packet accepted, fixed header included.
    public var maximumPacketSize: Int

    public init(protocolVersion: MQTTProtocolVersion, maximumPacketSize: Int = MQTTPacket.absoluteMaximumPacketSize) {
        self.protocolVersion = protocolVersion
        self.maximumPacketSize = maximumPacketSize
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> MQTTPacket? {
        let start = buffer.readerIndex
        guard let firstByte = buffer.getInteger(at: start, as: UInt8.self) else { return nil }
        var remainingLength = 0
        var headerLength = 0
        for position in 0..<4 {
            guard let byte = buffer.getInteger(at: start + 1 + position, as: UInt8.self) else { return nil }
            remainingLength |= Int(byte & 0x7F) << (7 * position)
            if byte & 0x80 == 0 {
                headerLength = 2 + position
                break
            }
            if position == 3 { throw MQTTDecodingError.remainingLengthTooLong }
        }
        let packetSize = headerLength + remainingLength
        guard packetSize <= maximumPacketSize else {
            throw MQTTDecodingError.packetTooLarge(size: packetSize, maximum: maximumPacketSize)
        }
        guard buffer.readableBytes >= packetSize else { return nil }
        buffer.moveReaderIndex(forwardBy: headerLength)
        var body = buffer.readSlice(length: remainingLength)!
        return try MQTTPacket.decode(firstByte: firstByte, body: &body, version: protocolVersion)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> MQTTPacket? {
        // A partial packet at EOF is simply lost with the connection; there is nothing to report it to.
        try decode(buffer: &buffer)
    }
}
