import NIOCore

extension MQTTPacket {
    /// Decodes one packet from its first byte and its body (exactly Remaining Length bytes).
    ///
    /// `version` decides whether MQTT 5.0 reason codes and properties are expected; a CONNECT carries its own
    /// protocol level and is decoded by it.
    public static func decode(
        firstByte: UInt8,
        body: inout ByteBuffer,
        version: MQTTProtocolVersion
    ) throws -> MQTTPacket {
        let type = firstByte >> 4
        let flags = firstByte & 0x0F
        let packet: MQTTPacket
        switch type {
        case 1:
            try expectFlags(flags, 0, type: type)
            packet = .connect(try MQTTConnectPacket.decode(body: &body))
        case 2:
            try expectFlags(flags, 0, type: type)
            let acknowledgeFlags = try body.readMQTTUInt8(field: "connect acknowledge flags")
            guard acknowledgeFlags & 0xFE == 0 else {
                throw MQTTDecodingError.protocolViolation(
                    "reserved CONNACK flag bits set: 0x\(String(acknowledgeFlags, radix: 16))"
                )
            }
            let code = try body.readMQTTUInt8(field: "return code")
            let properties = version == .v5 ? try MQTTProperties.read(from: &body) : MQTTProperties()
            packet = .connack(
                MQTTConnAckPacket(sessionPresent: acknowledgeFlags & 1 == 1, returnCode: code, properties: properties)
            )
        case 3:
            packet = .publish(try MQTTPublishPacket.decode(flags: flags, body: &body, version: version))
        case 4, 5, 6, 7:
            try expectFlags(flags, type == 6 ? 0x02 : 0, type: type)
            let packetID = try body.readPacketIdentifier()
            var response = MQTTPublishResponsePacket(packetID: packetID)
            if version == .v5 {
                if body.readableBytes > 0 {
                    response.reasonCode = MQTTReasonCode(rawValue: try body.readMQTTUInt8(field: "reason code"))
                }
                if body.readableBytes > 0 { response.properties = try MQTTProperties.read(from: &body) }
            }
            switch type {
            case 4: packet = .puback(response)
            case 5: packet = .pubrec(response)
            case 6: packet = .pubrel(response)
            default: packet = .pubcomp(response)
            }
        case 8:
            try expectFlags(flags, 0x02, type: type)
            packet = .subscribe(try MQTTSubscribePacket.decode(body: &body, version: version))
        case 9:
            try expectFlags(flags, 0, type: type)
            let packetID = try body.readPacketIdentifier()
            let properties = version == .v5 ? try MQTTProperties.read(from: &body) : MQTTProperties()
            guard body.readableBytes > 0 else {
                throw MQTTDecodingError.protocolViolation("SUBACK without return codes")
            }
            var codes: [MQTTReasonCode] = []
            codes.reserveCapacity(body.readableBytes)
            while let raw = body.readInteger(as: UInt8.self) {
                if version == .v3_1_1, !(raw <= 2 || raw == 0x80) {
                    throw MQTTDecodingError.protocolViolation(
                        "invalid MQTT 3.1.1 SUBACK return code 0x\(String(raw, radix: 16))"
                    )
                }
                codes.append(MQTTReasonCode(rawValue: raw))
            }
            packet = .suback(MQTTSubAckPacket(packetID: packetID, reasonCodes: codes, properties: properties))
        case 10:
            try expectFlags(flags, 0x02, type: type)
            let packetID = try body.readPacketIdentifier()
            let properties = version == .v5 ? try MQTTProperties.read(from: &body) : MQTTProperties()
            var filters: [String] = []
            while body.readableBytes > 0 { filters.append(try body.readMQTTString(field: "topic filter")) }
            guard !filters.isEmpty else {
                throw MQTTDecodingError.protocolViolation("UNSUBSCRIBE without topic filters")
            }
            packet = .unsubscribe(
                MQTTUnsubscribePacket(packetID: packetID, topicFilters: filters, properties: properties)
            )
        case 11:
            try expectFlags(flags, 0, type: type)
            let packetID = try body.readPacketIdentifier()
            var unsuback = MQTTUnsubAckPacket(packetID: packetID)
            if version == .v5 {
                unsuback.properties = try MQTTProperties.read(from: &body)
                while let raw = body.readInteger(as: UInt8.self) {
                    unsuback.reasonCodes.append(MQTTReasonCode(rawValue: raw))
                }
            }
            packet = .unsuback(unsuback)
        case 12:
            try expectFlags(flags, 0, type: type)
            packet = .pingreq
        case 13:
            try expectFlags(flags, 0, type: type)
            packet = .pingresp
        case 14:
            try expectFlags(flags, 0, type: type)
            var disconnect = MQTTDisconnectPacket()
            if version == .v5 {
                if body.readableBytes > 0 {
                    disconnect.reasonCode = MQTTReasonCode(rawValue: try body.readMQTTUInt8(field: "reason code"))
                }
                if body.readableBytes > 0 { disconnect.properties = try MQTTProperties.read(from: &body) }
            }
            packet = .disconnect(disconnect)
        default:
            // 0 is reserved; 15 is AUTH, which needs enhanced authentication this client never asks for.
            throw MQTTDecodingError.invalidPacketType(type)
        }
        try body.expectFullyConsumed()
        return packet
    }

    private static func expectFlags(_ flags: UInt8, _ expected: UInt8, type: UInt8) throws {
        guard flags == expected else { throw MQTTDecodingError.invalidFixedHeaderFlags(type: type, flags: flags) }
    }
}

extension MQTTPublishPacket {
    fileprivate static func decode(
        flags: UInt8,
        body: inout ByteBuffer,
        version: MQTTProtocolVersion
    ) throws -> MQTTPublishPacket {
        guard let qos = MQTTQoS(rawValue: (flags >> 1) & 0x03) else { throw MQTTDecodingError.invalidQoS }
        let duplicate = flags & 0x08 != 0
        // [MQTT-3.3.1-2]: a QoS 0 message is never a retransmission.
        guard !(duplicate && qos == .atMostOnce) else {
            throw MQTTDecodingError.invalidFixedHeaderFlags(type: 3, flags: flags)
        }
        let topic = try body.readMQTTString(field: "topic name")
        let packetID = qos == .atMostOnce ? nil : try body.readPacketIdentifier()
        let properties = version == .v5 ? try MQTTProperties.read(from: &body) : MQTTProperties()
        let payload = body.readSlice(length: body.readableBytes)!
        return MQTTPublishPacket(
            message: MQTTMessage(
                topic: topic,
                payload: payload,
                qos: qos,
                retain: flags & 0x01 != 0,
                properties: properties
            ),
            packetID: packetID,
            duplicate: duplicate
        )
    }
}

extension MQTTSubscribePacket {
    fileprivate static func decode(body: inout ByteBuffer, version: MQTTProtocolVersion) throws -> MQTTSubscribePacket {
        let packetID = try body.readPacketIdentifier()
        let properties = version == .v5 ? try MQTTProperties.read(from: &body) : MQTTProperties()
        var subscriptions: [MQTTSubscription] = []
        while body.readableBytes > 0 {
            let filter = try body.readMQTTString(field: "topic filter")
            let options = try body.readMQTTUInt8(field: "subscription options")
            guard let qos = MQTTQoS(rawValue: options & 0x03) else { throw MQTTDecodingError.invalidQoS }
            let reservedMask: UInt8 = version == .v5 ? 0xC0 : 0xFC
            guard options & reservedMask == 0,
                let retainHandling = MQTTSubscription.RetainHandling(rawValue: (options >> 4) & 0x03)
            else {
                throw MQTTDecodingError.protocolViolation(
                    "invalid subscription options 0x\(String(options, radix: 16))"
                )
            }
            subscriptions.append(
                MQTTSubscription(
                    topicFilter: filter,
                    qos: qos,
                    noLocal: options & 0x04 != 0,
                    retainAsPublished: options & 0x08 != 0,
                    retainHandling: retainHandling
                )
            )
        }
        guard !subscriptions.isEmpty else {
            throw MQTTDecodingError.protocolViolation("SUBSCRIBE without topic filters")
        }
        return MQTTSubscribePacket(packetID: packetID, subscriptions: subscriptions, properties: properties)
    }
}

extension MQTTConnectPacket {
    fileprivate static func decode(body: inout ByteBuffer) throws -> MQTTConnectPacket {
        let name = try body.readMQTTString(field: "protocol name")
        let level = try body.readMQTTUInt8(field: "protocol level")
        let version: MQTTProtocolVersion
        switch (name, level) {
        case ("MQTT", 4): version = .v3_1_1
        case ("MQTT", 5): version = .v5
        default: throw MQTTDecodingError.invalidProtocol(name: name, level: level)
        }
        let flags = try body.readMQTTUInt8(field: "connect flags")
        guard flags & 0x01 == 0 else { throw MQTTDecodingError.protocolViolation("reserved CONNECT flag set") }
        let keepAlive = try body.readMQTTUInt16(field: "keep alive")
        let properties = version == .v5 ? try MQTTProperties.read(from: &body) : MQTTProperties()
        let clientID = try body.readMQTTString(field: "client identifier")
        var will: MQTTWill?
        if flags & 0x04 != 0 {
            guard let qos = MQTTQoS(rawValue: (flags >> 3) & 0x03) else { throw MQTTDecodingError.invalidQoS }
            let willProperties = version == .v5 ? try MQTTProperties.read(from: &body) : MQTTProperties()
            let topic = try body.readMQTTString(field: "will topic")
            let payload = try body.readMQTTBinary(field: "will payload")
            will = MQTTWill(
                topic: topic,
                payload: payload,
                qos: qos,
                retain: flags & 0x20 != 0,
                properties: willProperties
            )
        } else if flags & 0x38 != 0 {
            throw MQTTDecodingError.protocolViolation("will QoS or retain set without a will")
        }
        let username = flags & 0x80 != 0 ? try body.readMQTTString(field: "user name") : nil
        let password = flags & 0x40 != 0 ? Array(try body.readMQTTBinary(field: "password").readableBytesView) : nil
        return MQTTConnectPacket(
            protocolVersion: version,
            cleanSession: flags & 0x02 != 0,
            keepAliveSeconds: keepAlive,
            clientID: clientID,
            will: will,
            username: username,
            password: password,
            properties: properties
        )
    }
}
