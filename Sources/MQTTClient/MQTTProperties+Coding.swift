import NIOCore

/// Properties on the wire: a Variable Byte Integer length, then each property as identifier + value.
///
///     ┌──────────────────────┬────┬─────────┬────┬─────────┬───
///     │ property length (VBI)│ id │ value   │ id │ value   │ ...
///     └──────────────────────┴────┴─────────┴────┴─────────┴───
extension MQTTProperties {
    /// The length of the properties without the length prefix.
    var encodedLength: Int {
        var length = 0
        for property in entries {
            length += 1
            switch property {
            case .payloadFormatIndicator, .requestProblemInformation, .requestResponseInformation, .maximumQoS,
                .retainAvailable, .wildcardSubscriptionAvailable, .subscriptionIdentifierAvailable,
                .sharedSubscriptionAvailable:
                length += 1
            case .serverKeepAlive, .receiveMaximum, .topicAliasMaximum, .topicAlias:
                length += 2
            case .messageExpiryInterval, .sessionExpiryInterval, .willDelayInterval, .maximumPacketSize:
                length += 4
            case .subscriptionIdentifier(let value):
                length += ByteBuffer.variableByteIntegerLength(Int(value))
            case .contentType(let string), .responseTopic(let string), .assignedClientIdentifier(let string),
                .authenticationMethod(let string), .responseInformation(let string), .serverReference(let string),
                .reasonString(let string):
                length += string.mqttEncodedLength
            case .correlationData(let bytes), .authenticationData(let bytes):
                length += 2 + bytes.readableBytes
            case .userProperty(let name, let value):
                length += name.mqttEncodedLength + value.mqttEncodedLength
            }
        }
        return length
    }

    /// The length including the length prefix.
    var encodedLengthWithPrefix: Int {
        let length = encodedLength
        return ByteBuffer.variableByteIntegerLength(length) + length
    }

    func write(to buffer: inout ByteBuffer) throws {
        buffer.writeVariableByteInteger(encodedLength)
        for property in entries {
            buffer.writeInteger(property.identifier)
            switch property {
            case .payloadFormatIndicator(let value), .requestProblemInformation(let value),
                .requestResponseInformation(let value), .maximumQoS(let value), .retainAvailable(let value),
                .wildcardSubscriptionAvailable(let value), .subscriptionIdentifierAvailable(let value),
                .sharedSubscriptionAvailable(let value):
                buffer.writeInteger(value)
            case .serverKeepAlive(let value), .receiveMaximum(let value), .topicAliasMaximum(let value),
                .topicAlias(let value):
                buffer.writeInteger(value)
            case .messageExpiryInterval(let value), .sessionExpiryInterval(let value), .willDelayInterval(let value),
                .maximumPacketSize(let value):
                buffer.writeInteger(value)
            case .subscriptionIdentifier(let value):
                buffer.writeVariableByteInteger(Int(value))
            case .contentType(let string), .responseTopic(let string), .assignedClientIdentifier(let string),
                .authenticationMethod(let string), .responseInformation(let string), .serverReference(let string),
                .reasonString(let string):
                try buffer.writeMQTTString(string)
            case .correlationData(let bytes), .authenticationData(let bytes):
                try buffer.writeMQTTBinary(bytes)
            case .userProperty(let name, let value):
                try buffer.writeMQTTString(name)
                try buffer.writeMQTTString(value)
            }
        }
    }

    /// Reads a length-prefixed property list.
    static func read(from buffer: inout ByteBuffer) throws -> MQTTProperties {
        let length = try buffer.readVariableByteInteger(field: "property length")
        guard length > 0 else { return MQTTProperties() }
        guard var slice = buffer.readSlice(length: length) else {
            throw MQTTDecodingError.truncatedPacket(field: "properties")
        }
        var properties = MQTTProperties()
        while slice.readableBytes > 0 {
            let identifier = try slice.readMQTTUInt8(field: "property identifier")
            let property: MQTTProperty
            switch identifier {
            case 0x01: property = .payloadFormatIndicator(try slice.readMQTTUInt8(field: "payload format indicator"))
            case 0x02: property = .messageExpiryInterval(try slice.readMQTTUInt32(field: "message expiry interval"))
            case 0x03: property = .contentType(try slice.readMQTTString(field: "content type"))
            case 0x08: property = .responseTopic(try slice.readMQTTString(field: "response topic"))
            case 0x09: property = .correlationData(try slice.readMQTTBinary(field: "correlation data"))
            case 0x0B:
                property = .subscriptionIdentifier(
                    UInt32(try slice.readVariableByteInteger(field: "subscription identifier"))
                )
            case 0x11: property = .sessionExpiryInterval(try slice.readMQTTUInt32(field: "session expiry interval"))
            case 0x12:
                property = .assignedClientIdentifier(try slice.readMQTTString(field: "assigned client identifier"))
            case 0x13: property = .serverKeepAlive(try slice.readMQTTUInt16(field: "server keep alive"))
            case 0x15: property = .authenticationMethod(try slice.readMQTTString(field: "authentication method"))
            case 0x16: property = .authenticationData(try slice.readMQTTBinary(field: "authentication data"))
            case 0x17:
                property = .requestProblemInformation(try slice.readMQTTUInt8(field: "request problem information"))
            case 0x18: property = .willDelayInterval(try slice.readMQTTUInt32(field: "will delay interval"))
            case 0x19:
                property = .requestResponseInformation(try slice.readMQTTUInt8(field: "request response information"))
            case 0x1A: property = .responseInformation(try slice.readMQTTString(field: "response information"))
            case 0x1C: property = .serverReference(try slice.readMQTTString(field: "server reference"))
            case 0x1F: property = .reasonString(try slice.readMQTTString(field: "reason string"))
            case 0x21: property = .receiveMaximum(try slice.readMQTTUInt16(field: "receive maximum"))
            case 0x22: property = .topicAliasMaximum(try slice.readMQTTUInt16(field: "topic alias maximum"))
            case 0x23: property = .topicAlias(try slice.readMQTTUInt16(field: "topic alias"))
            case 0x24: property = .maximumQoS(try slice.readMQTTUInt8(field: "maximum QoS"))
            case 0x25: property = .retainAvailable(try slice.readMQTTUInt8(field: "retain available"))
            case 0x26:
                let name = try slice.readMQTTString(field: "user property name")
                property = .userProperty(name, try slice.readMQTTString(field: "user property value"))
            case 0x27: property = .maximumPacketSize(try slice.readMQTTUInt32(field: "maximum packet size"))
            case 0x28:
                property = .wildcardSubscriptionAvailable(
                    try slice.readMQTTUInt8(field: "wildcard subscription available")
                )
            case 0x29:
                property = .subscriptionIdentifierAvailable(
                    try slice.readMQTTUInt8(field: "subscription identifier available")
                )
            case 0x2A:
                property = .sharedSubscriptionAvailable(try slice.readMQTTUInt8(field: "shared subscription available"))
            default: throw MQTTDecodingError.invalidProperty(identifier: identifier)
            }
            properties.append(property)
        }
        return properties
    }
}
