import NIOCore

/// The MQTT data representations (MQTT 5.0 section 1.5):
///
///     Two Byte Integer    ┌────────┬────────┐
///                         │  MSB   │  LSB   │
///                         └────────┴────────┘
///     UTF-8 String /      ┌────────┬────────┬───────────────────────┐
///     Binary Data         │ length (2, BE)  │ length bytes          │
///                         └────────┴────────┴───────────────────────┘
///     Variable Byte       ┌─┬───────┐ ┌─┬───────┐       up to 4 bytes; the high bit of
///     Integer             │C│ 7 bits│ │C│ 7 bits│ ...   each byte says "another follows",
///                         └─┴───────┘ └─┴───────┘       least significant group first
extension ByteBuffer {
    /// The largest value a 4-byte Variable Byte Integer holds.
    static let maximumVariableByteInteger = 268_435_455

    /// How many bytes `value` takes as a Variable Byte Integer.
    static func variableByteIntegerLength(_ value: Int) -> Int {
        switch value {
        case ..<128: 1
        case ..<16_384: 2
        case ..<2_097_152: 3
        default: 4
        }
    }

    @discardableResult
    mutating func writeVariableByteInteger(_ value: Int) -> Int {
        precondition(value >= 0 && value <= Self.maximumVariableByteInteger, "variable byte integer out of range")
        var remaining = value
        var written = 0
        repeat {
            var byte = UInt8(remaining & 0x7F)
            remaining >>= 7
            if remaining > 0 { byte |= 0x80 }
            writeInteger(byte)
            written += 1
        } while remaining > 0
        return written
    }

    /// Writes `value` as a Variable Byte Integer at `index` without moving the writer index.
    @discardableResult
    mutating func setVariableByteInteger(_ value: Int, at index: Int) -> Int {
        var remaining = value
        var written = 0
        repeat {
            var byte = UInt8(remaining & 0x7F)
            remaining >>= 7
            if remaining > 0 { byte |= 0x80 }
            setInteger(byte, at: index + written)
            written += 1
        } while remaining > 0
        return written
    }

    /// Reads a Variable Byte Integer inside a packet body, where running out of bytes means a truncated packet.
    mutating func readVariableByteInteger(field: String) throws -> Int {
        var value = 0
        for position in 0..<4 {
            guard let byte = readInteger(as: UInt8.self) else { throw MQTTDecodingError.truncatedPacket(field: field) }
            value |= Int(byte & 0x7F) << (7 * position)
            if byte & 0x80 == 0 { return value }
        }
        throw MQTTDecodingError.remainingLengthTooLong
    }

    mutating func readMQTTUInt8(field: String) throws -> UInt8 {
        guard let value = readInteger(as: UInt8.self) else { throw MQTTDecodingError.truncatedPacket(field: field) }
        return value
    }

    mutating func readMQTTUInt16(field: String) throws -> UInt16 {
        guard let value = readInteger(as: UInt16.self) else { throw MQTTDecodingError.truncatedPacket(field: field) }
        return value
    }

    mutating func readMQTTUInt32(field: String) throws -> UInt32 {
        guard let value = readInteger(as: UInt32.self) else { throw MQTTDecodingError.truncatedPacket(field: field) }
        return value
    }

    mutating func readPacketIdentifier() throws -> UInt16 {
        let identifier = try readMQTTUInt16(field: "packet identifier")
        guard identifier != 0 else { throw MQTTDecodingError.zeroPacketIdentifier }
        return identifier
    }

    mutating func writeMQTTString(_ string: String) throws {
        let length = string.utf8.count
        guard length <= Int(UInt16.max) else { throw MQTTEncodingError.stringTooLong(length: length) }
        writeInteger(UInt16(length))
        writeString(string)
    }

    mutating func readMQTTString(field: String) throws -> String {
        guard let length = readInteger(as: UInt16.self),
            let bytes = readSlice(length: Int(length))
        else { throw MQTTDecodingError.truncatedPacket(field: field) }
        guard let string = bytes.getString(at: bytes.readerIndex, length: bytes.readableBytes),
            // getString repairs invalid UTF-8; a round trip tells us whether it had to.
            string.utf8.count == bytes.readableBytes,
            string.utf8.elementsEqual(bytes.readableBytesView),
            !string.utf8.contains(0)
        else { throw MQTTDecodingError.invalidUTF8String(field: field) }
        return string
    }

    mutating func writeMQTTBinary<Bytes: Collection>(_ bytes: Bytes) throws where Bytes.Element == UInt8 {
        guard bytes.count <= Int(UInt16.max) else { throw MQTTEncodingError.binaryDataTooLong }
        writeInteger(UInt16(bytes.count))
        writeBytes(bytes)
    }

    mutating func writeMQTTBinary(_ bytes: ByteBuffer) throws {
        guard bytes.readableBytes <= Int(UInt16.max) else { throw MQTTEncodingError.binaryDataTooLong }
        writeInteger(UInt16(bytes.readableBytes))
        writeImmutableBuffer(bytes)
    }

    mutating func readMQTTBinary(field: String) throws -> ByteBuffer {
        guard let length = readInteger(as: UInt16.self),
            let bytes = readSlice(length: Int(length))
        else { throw MQTTDecodingError.truncatedPacket(field: field) }
        return bytes
    }

    /// Throws unless every byte has been consumed.
    func expectFullyConsumed() throws {
        guard readableBytes == 0 else { throw MQTTDecodingError.trailingBytes(count: readableBytes) }
    }
}

extension String {
    /// The number of bytes of an MQTT UTF-8 string field.
    var mqttEncodedLength: Int { 2 + utf8.count }
}
