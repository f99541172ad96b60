import NIOCore

extension MQTTSNForwarderEncapsulation {
    /// The parts of an encapsulated message, with the relayed message left undecoded.
    public struct Envelope: Sendable, Hashable {
        /// The broadcast radius from `Ctrl`, 0...3.
        public var radius: UInt8
        /// The wireless node's address as the forwarder knows it.
        public var wirelessNodeID: ByteBuffer
        /// The relayed message, length field included, exactly as it travelled.
        public var message: ByteBuffer
    }

    /// Splits a forwarder encapsulation (see the layout on ``MQTTSNForwarderEncapsulation``) into its header fields
    /// and the relayed message, without decoding the message: a gateway can then treat the message as if the
    /// wireless node had sent it directly, including answering it when it is malformed.
    ///
    /// - Returns: `nil` when `buffer` does not hold a forwarder encapsulation at all.
    /// - Throws: ``MQTTSNDecodingError`` when it does but its header is malformed (reserved `Ctrl` bits, no node id,
    ///   nothing relayed, a length beyond the buffer).
    public static func open(_ buffer: ByteBuffer) throws(MQTTSNDecodingError) -> Envelope? {
        let start = buffer.readerIndex
        guard let (headerLength, fieldLength) = try buffer.getMQTTSNLengthField(at: start),
            buffer.getInteger(at: start + fieldLength, as: UInt8.self)
                == MQTTSNMessageType.forwarderEncapsulation.rawValue
        else {
            return nil
        }
        // Length, MsgType, Ctrl, at least one octet of node id, then at least a relayed length and type.
        guard headerLength >= fieldLength + 3 else {
            throw .lengthTooSmall(declared: headerLength)
        }
        guard headerLength + 2 <= buffer.readableBytes else {
            throw .truncated
        }
        let control = buffer.getInteger(at: start + fieldLength + 1, as: UInt8.self)!
        guard control & ~Self.radiusMask == 0 else {
            throw .reservedFlags(control)
        }
        let nodeIDLength = headerLength - fieldLength - 2
        return Envelope(
            radius: control,
            wirelessNodeID: buffer.getSlice(at: start + fieldLength + 2, length: nodeIDLength)!,
            message: buffer.getSlice(at: start + headerLength, length: buffer.readableBytes - headerLength)!
        )
    }

    /// Wraps an encoded message for the wireless node `wirelessNodeID` (radius 0 unless given), the way a gateway
    /// answers a node behind a forwarder.
    public static func wrap(
        _ message: ByteBuffer,
        wirelessNodeID: some Collection<UInt8>,
        radius: UInt8 = 0
    ) -> ByteBuffer {
        let headerLength = 3 + wirelessNodeID.count
        var buffer = ByteBuffer()
        buffer.reserveCapacity(headerLength + message.readableBytes)
        buffer.writeInteger(UInt8(truncatingIfNeeded: headerLength))
        buffer.writeInteger(MQTTSNMessageType.forwarderEncapsulation.rawValue)
        buffer.writeInteger(radius & Self.radiusMask)
        buffer.writeBytes(wirelessNodeID)
        buffer.writeImmutableBuffer(message)
        return buffer
    }
}
