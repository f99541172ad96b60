import NIOCore

/// Runs a ``SerialDeframer`` in a channel pipeline: bytes in, ``SerialDeframerEvent``s out.
///
/// Never throws: noise, bad frames and oversize input become events, so the link survives anything on the wire.
public struct SerialFrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = SerialDeframerEvent

    private var deframer: SerialDeframer

    public init(maximumFrameSize: Int = SerialFrame.hardMaximumSize) {
        self.deframer = SerialDeframer(maximumFrameSize: maximumFrameSize)
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> SerialDeframerEvent? {
        var event: SerialDeframerEvent?
        // Straight from the buffer's memory: a byte costs one deframer step, not a bounds-checked read.
        let consumed = buffer.withUnsafeReadableBytes { bytes -> Int in
            for index in bytes.indices {
                if let completed = self.deframer.process(bytes[index]) {
                    event = completed
                    return index + 1
                }
            }
            return bytes.count
        }
        buffer.moveReaderIndex(forwardBy: consumed)
        return event
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> SerialDeframerEvent? {
        if let event = try self.decode(buffer: &buffer) {
            return event
        }
        return seenEOF ? self.deframer.finish() : nil
    }
}
