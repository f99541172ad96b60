import NIOCore

extension MQTTPacket {
    /// The largest packet MQTT can express: 1 type byte, 4 length bytes, 268,435,455 body bytes.
    public static let absoluteMaximumPacketSize = 1 + 4 + ByteBuffer.maximumVariableByteInteger

    /// Appends the packet to `buffer`. On failure nothing is appended.
    ///
    /// The body is written after a 4-byte gap reserved for the Remaining Length; once the body's length is known
    /// the body is moved back over the unused part of the gap, so encoding needs a single pass and no scratch buffer.
    ///
    /// - Throws: ``MQTTEncodingError/packetTooLarge`` when the packet would exceed `maximumPacketSize`.
    public func encode(
        into buffer: inout ByteBuffer,
        version: MQTTProtocolVersion,
        maximumPacketSize: Int = MQTTPacket.absoluteMaximumPacketSize
    ) throws {
        let start = buffer.writerIndex
        buffer.writeInteger(firstByte)
        buffer.writeRepeatingByte(0, count: 4)
        let bodyStart = buffer.writerIndex
        do {
            try writeBody(to: &buffer, version: version)
        } catch {
            buffer.moveWriterIndex(to: start)
            throw error
        }
        let bodyLength = buffer.writerIndex - bodyStart
        let lengthBytes = ByteBuffer.variableByteIntegerLength(bodyLength)
        let total = 1 + lengthBytes + bodyLength
        let limit = Swift.min(maximumPacketSize, Self.absoluteMaximumPacketSize)
        guard bodyLength <= ByteBuffer.maximumVariableByteInteger, total <= limit else {
            buffer.moveWriterIndex(to: start)
            throw MQTTEncodingError.packetTooLarge(size: total, maximum: limit)
        }
        if lengthBytes < 4, bodyLength > 0 {
            _ = try buffer.copyBytes(at: bodyStart, to: start + 1 + lengthBytes, length: bodyLength)
        }
        buffer.setVariableByteInteger(bodyLength, at: start + 1)
        buffer.moveWriterIndex(to: start + total)
    }

    var firstByte: UInt8 {
        switch self {
        case .publish(let publish):
            return 0x30 | (publish.duplicate ? 0x08 : 0) | (publish.message.qos.rawValue << 1)
                | (publish.message.retain ? 0x01 : 0)
        case .pubrel, .subscribe, .unsubscribe:
            // [MQTT-3.6.1-1], [MQTT-3.8.1-1], [MQTT-3.10.1-1]: these three carry the reserved flags 0010.
            return packetType << 4 | 0x02
        default:
            return packetType << 4
        }
    }

    private func writeBody(to buffer: inout ByteBuffer, version: MQTTProtocolVersion) throws {
        switch self {
        case .connect(let connect):
            try connect.writeBody(to: &buffer)
        case .connack(let connack):
            buffer.writeInteger(UInt8(connack.sessionPresent ? 1 : 0))
            buffer.writeInteger(connack.returnCode)
            if version == .v5 { try connack.properties.write(to: &buffer) }
        case .publish(let publish):
            try publish.writeBody(to: &buffer, version: version)
        case .puback(let response), .pubrec(let response), .pubrel(let response), .pubcomp(let response):
            guard response.packetID != 0 else { throw MQTTEncodingError.invalidPacketIdentifier }
            buffer.writeInteger(response.packetID)
            // [MQTT-3.4.2.1]: reason code and properties may be left out when they say "success, nothing more".
            if version == .v5, response.reasonCode != .success || !response.properties.isEmpty {
                buffer.writeInteger(response.reasonCode.rawValue)
                if !response.properties.isEmpty { try response.properties.write(to: &buffer) }
            }
        case .subscribe(let subscribe):
            guard subscribe.packetID != 0 else { throw MQTTEncodingError.invalidPacketIdentifier }
            buffer.writeInteger(subscribe.packetID)
            if version == .v5 { try subscribe.properties.write(to: &buffer) }
            for subscription in subscribe.subscriptions {
                try buffer.writeMQTTString(subscription.topicFilter)
                buffer.writeInteger(version == .v5 ? subscription.optionsByte : subscription.qos.rawValue)
            }
        case .suback(let suback):
            buffer.writeInteger(suback.packetID)
            if version == .v5 { try suback.properties.write(to: &buffer) }
            for code in suback.reasonCodes { buffer.writeInteger(code.rawValue) }
        case .unsubscribe(let unsubscribe):
            guard unsubscribe.packetID != 0 else { throw MQTTEncodingError.invalidPacketIdentifier }
            buffer.writeInteger(unsubscribe.packetID)
            if version == .v5 { try unsubscribe.properties.write(to: &buffer) }
            for filter in unsubscribe.topicFilters { try buffer.writeMQTTString(filter) }
        case .unsuback(let unsuback):
            buffer.writeInteger(unsuback.packetID)
            if version == .v5 {
                try unsuback.properties.write(to: &buffer)
                for code in unsuback.reasonCodes { buffer.writeInteger(code.rawValue) }
            }
        case .pingreq, .pingresp:
            break
        case .disconnect(let disconnect):
            if version == .v5, disconnect.reasonCode != .success || !disconnect.properties.isEmpty {
                buffer.writeInteger(disconnect.reasonCode.rawValue)
                if !disconnect.properties.isEmpty { try disconnect.properties.write(to: &buffer) }
            }
        }
    }
}

extension MQTTConnectPacket {
    fileprivate func writeBody(to buffer: inout ByteBuffer) throws {
        try buffer.writeMQTTString("MQTT")
        buffer.writeInteger(protocolVersion.protocolLevel)
        var flags: UInt8 = cleanSession ? 0x02 : 0
        if let will {
            flags |= 0x04 | (will.qos.rawValue << 3) | (will.retain ? 0x20 : 0)
        }
        if password != nil { flags |= 0x40 }
        if username != nil { flags |= 0x80 }
        buffer.writeInteger(flags)
        buffer.writeInteger(keepAliveSeconds)
        if protocolVersion == .v5 { try properties.write(to: &buffer) }
        try buffer.writeMQTTString(clientID)
        if let will {
            if protocolVersion == .v5 { try will.properties.write(to: &buffer) }
            try buffer.writeMQTTString(will.topic)
            try buffer.writeMQTTBinary(will.payload)
        }
        if let username { try buffer.writeMQTTString(username) }
        if let password { try buffer.writeMQTTBinary(password) }
    }
}

extension MQTTPublishPacket {
    fileprivate func writeBody(to buffer: inout ByteBuffer, version: MQTTProtocolVersion) throws {
        try buffer.writeMQTTString(message.topic)
        if message.qos != .atMostOnce {
            guard let packetID, packetID != 0 else { throw MQTTEncodingError.invalidPacketIdentifier }
            buffer.writeInteger(packetID)
        }
        if version == .v5 { try message.properties.write(to: &buffer) }
        buffer.writeImmutableBuffer(message.payload)
    }

    /// The exact encoded size, computed without encoding; used to reject a too-large publish before queuing it.
    func encodedSize(version: MQTTProtocolVersion) -> Int {
        var body = message.topic.mqttEncodedLength + message.payload.readableBytes
        if message.qos != .atMostOnce { body += 2 }
        if version == .v5 { body += message.properties.encodedLengthWithPrefix }
        return 1 + ByteBuffer.variableByteIntegerLength(body) + body
    }
}
