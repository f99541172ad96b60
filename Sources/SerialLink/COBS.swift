import NIOCore

/// Consistent Overhead Byte Stuffing: removes every 0x00 from a frame so 0x00 can delimit frames on the wire.
///
/// ```
/// decoded:  11 22 00 33          encoded:  03 11 22 02 33
///           '---'  '-'                     '------' '---'
///           block  block                   code 3: two bytes then a zero; code 2: one byte, end of data
/// ```
///
/// A code byte `c` (1...255) is followed by `c - 1` non-zero bytes; `c < 255` adds an implied zero unless it ends
/// the data. A full 254-byte block at the very end of the data has no closing code byte.
public enum COBS {
    /// The largest encoding of `count` bytes.
    public static func maximumEncodedLength(of count: Int) -> Int {
        count + count / 254 + 1
    }

    /// Appends the encoding of `bytes` (no delimiters) to `buffer`.
    public static func encode<Bytes: Collection>(_ bytes: Bytes, into buffer: inout ByteBuffer)
    where Bytes.Element == UInt8 {
        var writer = Writer()
        var remaining = bytes.count
        for byte in bytes {
            remaining -= 1
            writer.put(byte, isLast: remaining == 0, into: &buffer)
        }
        writer.finish(into: &buffer)
    }

    /// Decodes `encoded` (no delimiters), refusing to produce more than `maximumLength` bytes.
    public static func decode<Bytes: Collection>(
        _ encoded: Bytes,
        maximumLength: Int
    ) throws(SerialFrameError)
        -> [UInt8]
    where Bytes.Element == UInt8, Bytes.Index == Int {
        var buffer = ByteBuffer()
        try Self.decode(encoded, into: &buffer, maximumLength: maximumLength)
        return Array(buffer.readableBytesView)
    }

    /// Appends the decoding of `encoded` (no delimiters) to `buffer`, refusing more than `maximumLength` bytes.
    public static func decode<Bytes: Collection>(
        _ encoded: Bytes,
        into buffer: inout ByteBuffer,
        maximumLength: Int
    ) throws(SerialFrameError) where Bytes.Element == UInt8, Bytes.Index == Int {
        // Frames arrive as arrays: decode them straight from memory, one pass, no per-byte collection overhead.
        let failure = encoded.withContiguousStorageIfAvailable { bytes in
            Self.decode(bytes, into: &buffer, maximumLength: maximumLength)
        }
        switch failure {
        case .some(.some(let error)):
            throw error
        case .some(.none):
            return
        case .none:
            let failure = Array(encoded).withUnsafeBufferPointer { bytes in
                Self.decode(bytes, into: &buffer, maximumLength: maximumLength)
            }
            if let failure { throw failure }
        }
    }

    /// The decoding loop; returns why `encoded` is not valid COBS, or nil once it was appended to `buffer`.
    private static func decode(
        _ encoded: UnsafeBufferPointer<UInt8>,
        into buffer: inout ByteBuffer,
        maximumLength: Int
    ) -> SerialFrameError? {
        var failure: SerialFrameError?
        // Every code byte stands for at most one zero, so the decoding is shorter than the encoding.
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: min(encoded.count, maximumLength)) { output in
            var produced = 0
            var index = 0
            let end = encoded.count
            while index < end {
                let code = Int(encoded[index])
                guard code != 0, index + code <= end else {
                    failure = .cobsError
                    return 0
                }
                let block = UnsafeBufferPointer(rebasing: encoded[(index + 1)..<(index + code)])
                guard !block.contains(0) else {
                    failure = .cobsError
                    return 0
                }
                index += code
                let addsZero = code < 0xFF && index < end
                guard produced + block.count + (addsZero ? 1 : 0) <= maximumLength else {
                    failure = .oversize
                    return 0
                }
                if let base = block.baseAddress, !block.isEmpty {
                    (output.baseAddress! + produced).copyMemory(from: base, byteCount: block.count)
                }
                produced += block.count
                if addsZero {
                    output[produced] = 0
                    produced += 1
                }
            }
            return produced
        }
        return failure
    }

    /// An encoder fed one byte at a time, writing code bytes back into `buffer` when their block closes.
    struct Writer {
        private var codeIndex: Int?
        private var code: UInt8 = 1

        init() {}

        mutating func put(_ byte: UInt8, isLast: Bool, into buffer: inout ByteBuffer) {
            if self.codeIndex == nil {
                self.codeIndex = buffer.writerIndex
                buffer.writeInteger(UInt8(0))
            }
            if byte == 0 {
                self.closeBlock(into: &buffer)
                self.codeIndex = buffer.writerIndex
                buffer.writeInteger(UInt8(0))
                return
            }
            buffer.writeInteger(byte)
            self.code += 1
            if self.code == 0xFF {
                self.closeBlock(into: &buffer)
                if isLast {
                    self.codeIndex = -1
                } else {
                    self.codeIndex = buffer.writerIndex
                    buffer.writeInteger(UInt8(0))
                }
            }
        }

        mutating func finish(into buffer: inout ByteBuffer) {
            switch self.codeIndex {
            case .none:
                buffer.writeInteger(UInt8(1))
            case .some(let index) where index >= 0:
                buffer.setInteger(self.code, at: index)
            case .some:
                break
            }
        }

        private mutating func closeBlock(into buffer: inout ByteBuffer) {
            if let index = self.codeIndex, index >= 0 {
                buffer.setInteger(self.code, at: index)
            }
            self.code = 1
        }
    }
}
