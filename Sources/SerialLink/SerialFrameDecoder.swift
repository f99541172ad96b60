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
        while let byte = buffer.readInteger(as: UInt8.self) {
            if let event = self.deframer.process(byte) {
                return event
            }
        }
        return nil
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> SerialDeframerEvent? {
        if let event = try self.decode(buffer: &buffer) {
            return event
        }
        return seenEOF ? self.deframer.finish() : nil
    }
}
