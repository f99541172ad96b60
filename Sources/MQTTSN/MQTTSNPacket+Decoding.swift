import NIOCore

extension MQTTSNPacket {
    /// The first octet that announces the three-octet length form.
    static let longLengthMarker: UInt8 = 0x01

    /// Decodes the one MQTT-SN message that fills `buffer`, as received in one UDP datagram or one serial frame.
    ///
    /// The buffer must hold exactly one message: its length field must equal the readable bytes (for a forwarder
    /// encapsulation, the encapsulated message must fill the rest). Both length forms are accepted, the
    /// three-octet form also for short messages. On success the reader index moves past the message; on failure
    /// it stays where it was.
    ///
    /// Client ids, topic names and sizes are checked against `limits` before anything is allocated for them.
    /// Payloads (PUBLISH data, will messages, addresses) are slices of `buffer`, not copies.
    ///
    /// - Throws: ``MQTTSNDecodingError`` for any malformed input; this function never traps.
    public static func decode(
        from buffer: inout ByteBuffer,
        limits: MQTTSNDecodingLimits = .default
    ) throws(MQTTSNDecodingError) -> MQTTSNPacket {
        guard buffer.readableBytes <= limits.maximumMessageLength else {
            throw .messageTooLarge(length: buffer.readableBytes, limit: limits.maximumMessageLength)
        }
        var message = buffer
        let packet = try Self.decodeMessage(from: &message, limits: limits, isEncapsulated: false)
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        return packet
    }

    /// Decodes a message that fills `buffer`; `isEncapsulated` forbids a forwarder encapsulation inside another.
    private static func decodeMessage(
        from buffer: inout ByteBuffer,
        limits: MQTTSNDecodingLimits,
        isEncapsulated: Bool
    ) throws(MQTTSNDecodingError) -> MQTTSNPacket {
        let available = buffer.readableBytes
        guard let (totalLength, fieldLength) = try buffer.getMQTTSNLengthField(at: buffer.readerIndex) else {
            throw .truncated
        }
        guard totalLength <= available else {
            throw .lengthMismatch(declared: totalLength, available: available)
        }
        buffer.moveReaderIndex(forwardBy: fieldLength)
        let typeCode = try buffer.readMQTTSNUInt8()
        guard let type = MQTTSNMessageType(rawValue: typeCode) else {
            throw .unknownMessageType(typeCode)
        }
        var body = buffer.readSlice(length: totalLength - fieldLength - 1)!

        if type == .forwarderEncapsulation {
            guard !isEncapsulated else {
                throw .nestedForwarderEncapsulation
            }
            // The length covers only the encapsulation header; the relayed message, with its own length, follows.
            guard buffer.readableBytes > 0 else {
                throw .truncated
            }
            return .forwarderEncapsulation(
                try Self.decodeForwarderEncapsulation(body: &body, rest: &buffer, limits: limits)
            )
        }
        guard totalLength == available else {
            throw .lengthMismatch(declared: totalLength, available: available)
        }
        return try Self.decodeBody(of: type, from: &body, limits: limits)
    }

    private static func decodeForwarderEncapsulation(
        body: inout ByteBuffer,
        rest: inout ByteBuffer,
        limits: MQTTSNDecodingLimits
    ) throws(MQTTSNDecodingError) -> MQTTSNForwarderEncapsulation {
        let control = try body.readMQTTSNUInt8()
        guard control & ~MQTTSNForwarderEncapsulation.radiusMask == 0 else {
            throw .reservedFlags(control)
        }
        let wirelessNodeID = body.readMQTTSNRemainingBytes()
        let message = try Self.decodeMessage(from: &rest, limits: limits, isEncapsulated: true)
        return MQTTSNForwarderEncapsulation(radius: control, wirelessNodeID: wirelessNodeID, message: message)
    }

    // One switch over all types keeps the wire layouts side by side; each arm lists its fields in wire order.
    private static func decodeBody(
        of type: MQTTSNMessageType,
        from body: inout ByteBuffer,
        limits: MQTTSNDecodingLimits
    ) throws(MQTTSNDecodingError) -> MQTTSNPacket {
        let packet: MQTTSNPacket
        switch type {
        case .advertise:
            packet = .advertise(
                MQTTSNAdvertise(gatewayID: try body.readMQTTSNUInt8(), duration: try body.readMQTTSNUInt16())
            )
        case .searchGateway:
            packet = .searchGateway(MQTTSNSearchGateway(radius: try body.readMQTTSNUInt8()))
        case .gatewayInfo:
            let gatewayID = try body.readMQTTSNUInt8()
            let address = body.readableBytes > 0 ? body.readMQTTSNRemainingBytes() : nil
            packet = .gatewayInfo(MQTTSNGatewayInfo(gatewayID: gatewayID, gatewayAddress: address))
        case .connect:
            let flags = MQTTSNFlags(rawValue: try body.readMQTTSNUInt8())
            let protocolID = try body.readMQTTSNUInt8()
            guard protocolID == MQTTSNConnect.protocolID else {
                throw .invalidProtocolID(protocolID)
            }
            let duration = try body.readMQTTSNUInt16()
            let clientID = try body.readMQTTSNClientID(limit: limits.maximumClientIDLength)
            packet = .connect(
                MQTTSNConnect(
                    will: flags.will,
                    cleanSession: flags.cleanSession,
                    duration: duration,
                    clientID: clientID
                )
            )
        case .connectAck:
            packet = .connectAck(MQTTSNConnectAck(returnCode: MQTTSNReturnCode(rawValue: try body.readMQTTSNUInt8())))
        case .willTopicRequest:
            packet = .willTopicRequest(MQTTSNWillTopicRequest())
        case .willTopic:
            packet = .willTopic(MQTTSNWillTopic(will: try Self.decodeWill(from: &body, limits: limits)))
        case .willMessageRequest:
            packet = .willMessageRequest(MQTTSNWillMessageRequest())
        case .willMessage:
            packet = .willMessage(MQTTSNWillMessage(message: body.readMQTTSNRemainingBytes()))
        case .register:
            let topicID = try body.readMQTTSNUInt16()
            let messageID = try body.readMQTTSNUInt16()
            let topicName = try body.readMQTTSNTopicName(limit: limits.maximumTopicNameLength)
            packet = .register(MQTTSNRegister(topicID: topicID, messageID: messageID, topicName: topicName))
        case .registerAck:
            packet = .registerAck(
                MQTTSNRegisterAck(
                    topicID: try body.readMQTTSNUInt16(),
                    messageID: try body.readMQTTSNUInt16(),
                    returnCode: MQTTSNReturnCode(rawValue: try body.readMQTTSNUInt8())
                )
            )
        case .publish:
            let flags = MQTTSNFlags(rawValue: try body.readMQTTSNUInt8())
            guard let topicIDType = flags.topicIDType else {
                throw .reservedTopicIDType
            }
            let topicID = try body.readMQTTSNUInt16()
            let messageID = try body.readMQTTSNUInt16()
            packet = .publish(
                MQTTSNPublish(
                    dup: flags.dup,
                    qos: flags.qos,
                    retain: flags.retain,
                    topicIDType: topicIDType,
                    topicID: topicID,
                    messageID: messageID,
                    payload: body.readMQTTSNRemainingBytes()
                )
            )
        case .publishAck:
            packet = .publishAck(
                MQTTSNPublishAck(
                    topicID: try body.readMQTTSNUInt16(),
                    messageID: try body.readMQTTSNUInt16(),
                    returnCode: MQTTSNReturnCode(rawValue: try body.readMQTTSNUInt8())
                )
            )
        case .publishComplete:
            packet = .publishComplete(MQTTSNPublishComplete(messageID: try body.readMQTTSNUInt16()))
        case .publishReceived:
            packet = .publishReceived(MQTTSNPublishReceived(messageID: try body.readMQTTSNUInt16()))
        case .publishRelease:
            packet = .publishRelease(MQTTSNPublishRelease(messageID: try body.readMQTTSNUInt16()))
        case .subscribe:
            let flags = MQTTSNFlags(rawValue: try body.readMQTTSNUInt8())
            guard flags.qos != .fireAndForget else {
                throw .invalidQoS(flags.qos)
            }
            let messageID = try body.readMQTTSNUInt16()
            let topic = try Self.decodeTopic(flags: flags, from: &body, limits: limits)
            packet = .subscribe(MQTTSNSubscribe(dup: flags.dup, qos: flags.qos, messageID: messageID, topic: topic))
        case .subscribeAck:
            let flags = MQTTSNFlags(rawValue: try body.readMQTTSNUInt8())
            guard flags.qos != .fireAndForget else {
                throw .invalidQoS(flags.qos)
            }
            packet = .subscribeAck(
                MQTTSNSubscribeAck(
                    qos: flags.qos,
                    topicID: try body.readMQTTSNUInt16(),
                    messageID: try body.readMQTTSNUInt16(),
                    returnCode: MQTTSNReturnCode(rawValue: try body.readMQTTSNUInt8())
                )
            )
        case .unsubscribe:
            let flags = MQTTSNFlags(rawValue: try body.readMQTTSNUInt8())
            let messageID = try body.readMQTTSNUInt16()
            let topic = try Self.decodeTopic(flags: flags, from: &body, limits: limits)
            packet = .unsubscribe(MQTTSNUnsubscribe(messageID: messageID, topic: topic))
        case .unsubscribeAck:
            packet = .unsubscribeAck(MQTTSNUnsubscribeAck(messageID: try body.readMQTTSNUInt16()))
        case .pingRequest:
            let clientID =
                body.readableBytes > 0 ? try body.readMQTTSNClientID(limit: limits.maximumClientIDLength) : nil
            packet = .pingRequest(MQTTSNPingRequest(clientID: clientID))
        case .pingResponse:
            packet = .pingResponse(MQTTSNPingResponse())
        case .disconnect:
            let duration = body.readableBytes > 0 ? try body.readMQTTSNUInt16() : nil
            packet = .disconnect(MQTTSNDisconnect(duration: duration))
        case .willTopicUpdate:
            packet = .willTopicUpdate(MQTTSNWillTopicUpdate(will: try Self.decodeWill(from: &body, limits: limits)))
        case .willTopicResponse:
            packet = .willTopicResponse(
                MQTTSNWillTopicResponse(returnCode: MQTTSNReturnCode(rawValue: try body.readMQTTSNUInt8()))
            )
        case .willMessageUpdate:
            packet = .willMessageUpdate(MQTTSNWillMessageUpdate(message: body.readMQTTSNRemainingBytes()))
        case .willMessageResponse:
            packet = .willMessageResponse(
                MQTTSNWillMessageResponse(returnCode: MQTTSNReturnCode(rawValue: try body.readMQTTSNUInt8()))
            )
        case .forwarderEncapsulation:
            // Handled by the caller: its length field does not cover the whole message.
            throw .nestedForwarderEncapsulation
        }
        try body.expectMQTTSNBodyEnd()
        return packet
    }

    /// The body of WILLTOPIC and WILLTOPICUPD: empty (delete the will) or flags and a topic name.
    private static func decodeWill(
        from body: inout ByteBuffer,
        limits: MQTTSNDecodingLimits
    ) throws(MQTTSNDecodingError) -> MQTTSNWill? {
        guard body.readableBytes > 0 else {
            return nil
        }
        let flags = MQTTSNFlags(rawValue: try body.readMQTTSNUInt8())
        guard flags.qos != .fireAndForget else {
            throw .invalidQoS(flags.qos)
        }
        let topicName = try body.readMQTTSNTopicName(limit: limits.maximumTopicNameLength)
        return MQTTSNWill(qos: flags.qos, retain: flags.retain, topicName: topicName)
    }

    /// The topic of SUBSCRIBE and UNSUBSCRIBE, whose form the topic id type in `flags` selects.
    private static func decodeTopic(
        flags: MQTTSNFlags,
        from body: inout ByteBuffer,
        limits: MQTTSNDecodingLimits
    ) throws(MQTTSNDecodingError) -> MQTTSNTopic {
        switch flags.topicIDType {
        case .normal:
            return .name(try body.readMQTTSNTopicName(limit: limits.maximumTopicNameLength))
        case .predefined:
            return .predefined(try body.readMQTTSNUInt16())
        case .shortName:
            return .shortName(MQTTSNShortTopicName(rawValue: try body.readMQTTSNUInt16()))
        case nil:
            throw .reservedTopicIDType
        }
    }
}
