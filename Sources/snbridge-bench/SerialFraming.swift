import NIOCore

/// The device side of the snbridge serial framing (Firmware-Protocol/PROTOCOL.md section 2): `00 COBS(type |
/// payload | CRC-16/CCITT-FALSE big-endian) 00`. Written here rather than borrowed from SerialLink so the benchmark
/// exercises the bridge's decoder with an independent encoder, and encodes into a caller's buffer without allocating.
enum SerialFraming {
    static let hello: UInt8 = 0x01
    static let helloAck: UInt8 = 0x02
    static let reject: UInt8 = 0x03
    static let linkPing: UInt8 = 0x04
    static let linkPong: UInt8 = 0x05
    static let mqttsn: UInt8 = 0x10

    static func crc16(_ bytes: UnsafeRawBufferPointer, initial: UInt16 = 0xFFFF) -> UInt16 {
        var crc = initial
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        }
        return crc
    }

    /// Appends the delimited, COBS-encoded frame of `type` and the readable bytes of `payload` to `out`.
    static func appendFrame(type: UInt8, payload: ByteBuffer, to out: inout ByteBuffer) {
        var crc = withUnsafeBytes(of: type) { crc16($0) }
        payload.withUnsafeReadableBytes { crc = crc16($0, initial: crc) }
        out.writeInteger(UInt8(0))
        var encoder = COBSEncoder(out: &out)
        encoder.append(type, to: &out)
        payload.withUnsafeReadableBytes { bytes in
            for byte in bytes { encoder.append(byte, to: &out) }
        }
        encoder.append(UInt8(crc >> 8), to: &out)
        encoder.append(UInt8(crc & 0xFF), to: &out)
        encoder.finish(&out)
        out.writeInteger(UInt8(0))
    }

    /// Decodes one COBS segment (without delimiters) into type and payload; nil for a COBS or CRC error.
    static func decodeFrame(_ segment: ByteBuffer) -> (type: UInt8, payload: ByteBuffer)? {
        var decoded = ByteBuffer()
        decoded.reserveCapacity(segment.readableBytes)
        let ok = segment.withUnsafeReadableBytes { bytes -> Bool in
            var index = 0
            while index < bytes.count {
                let code = Int(bytes[index])
                guard code != 0, index + code <= bytes.count else { return false }
                if code > 1 {
                    decoded.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[(index + 1)..<(index + code)]))
                }
                index += code
                if code < 0xFF && index < bytes.count { decoded.writeInteger(UInt8(0)) }
            }
            return true
        }
        guard ok, decoded.readableBytes >= 3 else { return nil }
        let crc = decoded.withUnsafeReadableBytes { crc16(UnsafeRawBufferPointer(rebasing: $0.dropLast(2))) }
        guard decoded.getInteger(at: decoded.writerIndex - 2, as: UInt16.self) == crc,
            let type = decoded.readInteger(as: UInt8.self),
            let payload = decoded.readSlice(length: decoded.readableBytes - 2)
        else { return nil }
        return (type, payload)
    }
}
