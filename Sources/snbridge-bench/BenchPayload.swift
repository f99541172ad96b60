import NIOCore

/// The first bytes of every benchmark message: who sent it, which one it is and when (CLOCK_MONOTONIC).
///
/// The rest of the payload, up to the scenario's size, is zeros. The run id lets the collector ignore stragglers
/// from an earlier scenario that the broker still delivers.
struct BenchPayload {
    static let magic: UInt32 = 0x534E_4231  // "SNB1"
    static let headerSize = 24
    static let runIDOffset = 4
    static let clientOffset = 8
    static let sequenceOffset = 12
    static let sendTimeOffset = 16

    var runID: UInt32
    var clientIndex: UInt32
    var sequence: UInt32
    var sendTime: UInt64

    /// A zero-filled payload of `size` bytes (at least ``headerSize``) with the fixed header fields set.
    static func template(size: Int, runID: UInt32, clientIndex: UInt32) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: max(size, headerSize))
        withUnsafeBytes(of: magic.bigEndian) { bytes.replaceSubrange(0..<4, with: $0) }
        withUnsafeBytes(of: runID.bigEndian) { bytes.replaceSubrange(runIDOffset..<runIDOffset + 4, with: $0) }
        withUnsafeBytes(of: clientIndex.bigEndian) { bytes.replaceSubrange(clientOffset..<clientOffset + 4, with: $0) }
        return bytes
    }

    /// Stamps sequence and send time into a payload that starts at `payloadStart` in `buffer`, in place.
    static func stamp(_ buffer: inout ByteBuffer, payloadStart: Int, sequence: UInt32, sendTime: UInt64) {
        buffer.setInteger(sequence, at: payloadStart + sequenceOffset)
        buffer.setInteger(sendTime, at: payloadStart + sendTimeOffset)
    }

    /// Reads the header of a received payload; nil when it is not a benchmark message.
    static func read(_ buffer: ByteBuffer) -> BenchPayload? {
        let start = buffer.readerIndex
        guard buffer.readableBytes >= headerSize,
            buffer.getInteger(at: start, as: UInt32.self) == magic,
            let runID = buffer.getInteger(at: start + runIDOffset, as: UInt32.self),
            let client = buffer.getInteger(at: start + clientOffset, as: UInt32.self),
            let sequence = buffer.getInteger(at: start + sequenceOffset, as: UInt32.self),
            let sendTime = buffer.getInteger(at: start + sendTimeOffset, as: UInt64.self)
        else { return nil }
        return BenchPayload(runID: runID, clientIndex: client, sequence: sequence, sendTime: sendTime)
    }
}
