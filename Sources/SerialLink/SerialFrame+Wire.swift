import NIOCore

extension SerialFrame {
    /// Appends the wire form, both 0x00 delimiters included, to `buffer`.
    public func encode(into buffer: inout ByteBuffer) {
        let payload = self.payload.readableBytesView
        var crc = CRC16CCITTFalse.update(CRC16CCITTFalse.initialValue, byte: self.type.rawValue)
        crc = CRC16CCITTFalse.checksum(payload, startingFrom: crc)
        buffer.reserveCapacity(minimumWritableBytes: COBS.maximumEncodedLength(of: payload.count + 3) + 2)
        buffer.writeInteger(UInt8(0))
        var writer = COBS.Writer()
        writer.put(self.type.rawValue, isLast: false, into: &buffer)
        for byte in payload {
            writer.put(byte, isLast: false, into: &buffer)
        }
        writer.put(UInt8(truncatingIfNeeded: crc >> 8), isLast: false, into: &buffer)
        writer.put(UInt8(truncatingIfNeeded: crc), isLast: true, into: &buffer)
        writer.finish(into: &buffer)
        buffer.writeInteger(UInt8(0))
    }

    /// The wire form as a new buffer.
    public func encoded(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: COBS.maximumEncodedLength(of: self.decodedSize) + 2)
        self.encode(into: &buffer)
        return buffer
    }

    /// Decodes one segment (the bytes between two 0x00 delimiters) and checks size, CRC and type.
    public init<Bytes: Collection>(
        segment: Bytes,
        maximumFrameSize: Int = SerialFrame.hardMaximumSize
    ) throws(SerialFrameError) where Bytes.Element == UInt8, Bytes.Index == Int {
        guard segment.count <= COBS.maximumEncodedLength(of: maximumFrameSize) else {
            throw .oversize
        }
        var decoded = ByteBuffer()
        try COBS.decode(segment, into: &decoded, maximumLength: maximumFrameSize)
        guard decoded.readableBytes >= Self.overhead else {
            throw .tooShort
        }
        let bodyLength = decoded.readableBytes - 2
        let expected = decoded.getInteger(at: decoded.readerIndex + bodyLength, as: UInt16.self)!
        guard CRC16CCITTFalse.checksum(decoded.readableBytesView.prefix(bodyLength)) == expected else {
            throw .badCRC
        }
        let type = SerialFrameType(rawValue: decoded.readInteger(as: UInt8.self)!)
        guard type.isKnown else {
            throw .unknownType
        }
        // The payload is a slice of the one buffer the frame was decoded into.
        self.init(type: type, payload: decoded.readSlice(length: bodyLength - 1)!)
    }
}
