import NIOCore

// Field readers for message bodies. Each one answers a missing field with `.truncated` so the per-type decoders
// read as a list of fields.
extension ByteBuffer {
    /// Reads the length field at `index` without moving the reader index.
    ///
    /// Returns `nil` when the buffer does not yet hold the whole length field, and the declared total length of
    /// the message plus the size of the length field (1 or 3) otherwise.
    func getMQTTSNLengthField(at index: Int) throws(MQTTSNDecodingError) -> (totalLength: Int, fieldLength: Int)? {
        guard let first = self.getInteger(at: index, as: UInt8.self) else {
            return nil
        }
        let totalLength: Int
        let fieldLength: Int
        if first == MQTTSNPacket.longLengthMarker {
            guard let long = self.getInteger(at: index + 1, as: UInt16.self) else {
                return nil
            }
            totalLength = Int(long)
            fieldLength = 3
        } else {
            totalLength = Int(first)
            fieldLength = 1
        }
        // The length counts itself and the MsgType octet, so anything shorter cannot be a message.
        guard totalLength >= fieldLength + 1 else {
            throw .lengthTooSmall(declared: totalLength)
        }
        return (totalLength, fieldLength)
    }

    mutating func readMQTTSNUInt8() throws(MQTTSNDecodingError) -> UInt8 {
        guard let value = self.readInteger(as: UInt8.self) else {
            throw .truncated
        }
        return value
    }

    mutating func readMQTTSNUInt16() throws(MQTTSNDecodingError) -> UInt16 {
        guard let value = self.readInteger(as: UInt16.self) else {
            throw .truncated
        }
        return value
    }

    /// Throws unless every octet of the body has been read.
    func expectMQTTSNBodyEnd() throws(MQTTSNDecodingError) {
        guard self.readableBytes == 0 else {
            throw .trailingBytes(count: self.readableBytes)
        }
    }

    /// Reads the rest of the body as a UTF-8 string, without length checks.
    mutating func readMQTTSNRemainingString() throws(MQTTSNDecodingError) -> String {
        let octets = self.readableBytesView
        // String(decoding:) repairs invalid UTF-8 instead of failing; an exact round trip proves the input valid.
        let string = String(decoding: octets, as: UTF8.self)
        guard string.utf8.elementsEqual(octets) else {
            throw .invalidUTF8
        }
        self.moveReaderIndex(to: self.writerIndex)
        return string
    }

    /// Reads the rest of the body as a client id: non-empty, within `limit` octets, UTF-8.
    mutating func readMQTTSNClientID(limit: Int) throws(MQTTSNDecodingError) -> String {
        guard self.readableBytes > 0 else {
            throw .emptyClientID
        }
        guard self.readableBytes <= limit else {
            throw .clientIDTooLong(length: self.readableBytes, limit: limit)
        }
        return try self.readMQTTSNRemainingString()
    }

    /// Reads the rest of the body as a topic name: non-empty, within `limit` octets, UTF-8.
    mutating func readMQTTSNTopicName(limit: Int) throws(MQTTSNDecodingError) -> String {
        guard self.readableBytes > 0 else {
            throw .emptyTopicName
        }
        guard self.readableBytes <= limit else {
            throw .topicNameTooLong(length: self.readableBytes, limit: limit)
        }
        return try self.readMQTTSNRemainingString()
    }

    /// Reads the rest of the body as opaque octets, sharing storage with the datagram instead of copying.
    mutating func readMQTTSNRemainingBytes() -> ByteBuffer {
        self.readSlice(length: self.readableBytes)!
    }
}
