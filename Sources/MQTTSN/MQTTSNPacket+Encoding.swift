import NIOCore

extension MQTTSNPacket {
    /// Appends the message to `buffer`, with the one-octet length form whenever the whole message fits in
    /// 255 octets and the three-octet form otherwise.
    ///
    /// Values a conforming peer would reject are refused rather than sent (see ``MQTTSNEncodingError``), so
    /// whatever this encodes, ``decode(from:limits:)`` decodes to an equal packet (given large enough limits).
    /// Nothing is written when it throws.
    public func encode(into buffer: inout ByteBuffer) throws(MQTTSNEncodingError) {
        if case .forwarderEncapsulation(let encapsulation) = self {
            try encapsulation.validate()
            // The encapsulation's length covers only its header; the relayed message carries its own length.
            let headerBodyLength = 1 + encapsulation.wirelessNodeID.readableBytes
            let messageBodyLength = try encapsulation.message.validatedBodyLength()
            let totalLength =
                try Self.totalLength(bodyLength: headerBodyLength) + Self.totalLength(bodyLength: messageBodyLength)
            guard totalLength <= MQTTSNDecodingLimits.largestEncodableMessageLength else {
                throw .messageTooLarge(length: totalLength)
            }
            buffer.reserveCapacity(minimumWritableBytes: totalLength)
            Self.writeHeader(type: .forwarderEncapsulation, bodyLength: headerBodyLength, into: &buffer)
            buffer.writeInteger(encapsulation.radius)
            buffer.writeImmutableBuffer(encapsulation.wirelessNodeID)
            encapsulation.message.writeMessage(bodyLength: messageBodyLength, into: &buffer)
            return
        }
        let bodyLength = try self.validatedBodyLength()
        buffer.reserveCapacity(minimumWritableBytes: try Self.totalLength(bodyLength: bodyLength))
        self.writeMessage(bodyLength: bodyLength, into: &buffer)
    }

    /// The whole message length for a body of `bodyLength` octets (everything after `MsgType`).
    static func totalLength(bodyLength: Int) throws(MQTTSNEncodingError) -> Int {
        let shortForm = bodyLength + 2
        if shortForm <= Int(UInt8.max) {
            return shortForm
        }
        let longForm = bodyLength + 4
        guard longForm <= MQTTSNDecodingLimits.largestEncodableMessageLength else {
            throw .messageTooLarge(length: longForm)
        }
        return longForm
    }

    private static func writeHeader(type: MQTTSNMessageType, bodyLength: Int, into buffer: inout ByteBuffer) {
        let shortForm = bodyLength + 2
        if shortForm <= Int(UInt8.max) {
            buffer.writeInteger(UInt8(shortForm))
        } else {
            buffer.writeInteger(Self.longLengthMarker)
            buffer.writeInteger(UInt16(bodyLength + 4))
        }
        buffer.writeInteger(type.rawValue)
    }

    /// Checks the fields and returns the length of the body (after `MsgType`). Never called for an encapsulation
    /// at the top level; an encapsulation reaching it is one nested in another.
    private func validatedBodyLength() throws(MQTTSNEncodingError) -> Int {
        switch self {
        case .advertise: return 3
        case .searchGateway: return 1
        case .gatewayInfo(let info): return 1 + (info.gatewayAddress?.readableBytes ?? 0)
        case .connect(let connect):
            guard !connect.clientID.isEmpty else {
                throw .emptyClientID
            }
            return 4 + connect.clientID.utf8.count
        case .connectAck, .willTopicResponse, .willMessageResponse: return 1
        case .willTopicRequest, .willMessageRequest, .pingResponse: return 0
        case .willTopic(let willTopic): return try Self.willBodyLength(willTopic.will)
        case .willTopicUpdate(let update): return try Self.willBodyLength(update.will)
        case .willMessage(let message): return message.message.readableBytes
        case .willMessageUpdate(let update): return update.message.readableBytes
        case .register(let register):
            guard !register.topicName.isEmpty else {
                throw .emptyTopicName
            }
            return 4 + register.topicName.utf8.count
        case .registerAck, .publishAck: return 5
        case .publish(let publish): return 5 + publish.payload.readableBytes
        case .publishComplete, .publishReceived, .publishRelease, .unsubscribeAck: return 2
        case .subscribe(let subscribe):
            guard subscribe.qos != .fireAndForget else {
                throw .invalidQoS(subscribe.qos)
            }
            return 3 + (try Self.topicLength(subscribe.topic))
        case .subscribeAck(let subscribeAck):
            guard subscribeAck.qos != .fireAndForget else {
                throw .invalidQoS(subscribeAck.qos)
            }
            return 6
        case .unsubscribe(let unsubscribe): return 3 + (try Self.topicLength(unsubscribe.topic))
        case .pingRequest(let ping): return ping.clientID?.utf8.count ?? 0
        case .disconnect(let disconnect): return disconnect.duration == nil ? 0 : 2
        case .forwarderEncapsulation: throw .nestedForwarderEncapsulation
        }
    }

    private static func willBodyLength(_ will: MQTTSNWill?) throws(MQTTSNEncodingError) -> Int {
        guard let will else {
            return 0
        }
        guard will.qos != .fireAndForget else {
            throw .invalidQoS(will.qos)
        }
        guard !will.topicName.isEmpty else {
            throw .emptyTopicName
        }
        return 1 + will.topicName.utf8.count
    }

    private static func topicLength(_ topic: MQTTSNTopic) throws(MQTTSNEncodingError) -> Int {
        switch topic {
        case .name(let name):
            guard !name.isEmpty else {
                throw .emptyTopicName
            }
            return name.utf8.count
        case .predefined, .shortName:
            return 2
        }
    }

    /// Writes header and body; the fields have been validated and measured by `validatedBodyLength()`.
    private func writeMessage(bodyLength: Int, into buffer: inout ByteBuffer) {
        Self.writeHeader(type: self.messageType, bodyLength: bodyLength, into: &buffer)
        switch self {
        case .advertise(let advertise):
            buffer.writeInteger(advertise.gatewayID)
            buffer.writeInteger(advertise.duration)
        case .searchGateway(let search):
            buffer.writeInteger(search.radius)
        case .gatewayInfo(let info):
            buffer.writeInteger(info.gatewayID)
            if let address = info.gatewayAddress {
                buffer.writeImmutableBuffer(address)
            }
        case .connect(let connect):
            buffer.writeInteger(MQTTSNFlags(will: connect.will, cleanSession: connect.cleanSession).rawValue)
            buffer.writeInteger(MQTTSNConnect.protocolID)
            buffer.writeInteger(connect.duration)
            buffer.writeString(connect.clientID)
        case .connectAck(let ack):
            buffer.writeInteger(ack.returnCode.rawValue)
        case .willTopicRequest, .willMessageRequest, .pingResponse:
            break
        case .willTopic(let willTopic):
            Self.writeWill(willTopic.will, into: &buffer)
        case .willTopicUpdate(let update):
            Self.writeWill(update.will, into: &buffer)
        case .willMessage(let message):
            buffer.writeImmutableBuffer(message.message)
        case .willMessageUpdate(let update):
            buffer.writeImmutableBuffer(update.message)
        case .register(let register):
            buffer.writeInteger(register.topicID)
            buffer.writeInteger(register.messageID)
            buffer.writeString(register.topicName)
        case .registerAck(let ack):
            buffer.writeInteger(ack.topicID)
            buffer.writeInteger(ack.messageID)
            buffer.writeInteger(ack.returnCode.rawValue)
        case .publish(let publish):
            let flags = MQTTSNFlags(
                dup: publish.dup,
                qos: publish.qos,
                retain: publish.retain,
                topicIDType: publish.topicIDType
            )
            buffer.writeInteger(flags.rawValue)
            buffer.writeInteger(publish.topicID)
            buffer.writeInteger(publish.messageID)
            buffer.writeImmutableBuffer(publish.payload)
        case .publishAck(let ack):
            buffer.writeInteger(ack.topicID)
            buffer.writeInteger(ack.messageID)
            buffer.writeInteger(ack.returnCode.rawValue)
        case .publishComplete(let complete):
            buffer.writeInteger(complete.messageID)
        case .publishReceived(let received):
            buffer.writeInteger(received.messageID)
        case .publishRelease(let release):
            buffer.writeInteger(release.messageID)
        case .subscribe(let subscribe):
            let flags = MQTTSNFlags(dup: subscribe.dup, qos: subscribe.qos, topicIDType: subscribe.topic.topicIDType)
            buffer.writeInteger(flags.rawValue)
            buffer.writeInteger(subscribe.messageID)
            Self.writeTopic(subscribe.topic, into: &buffer)
        case .subscribeAck(let ack):
            buffer.writeInteger(MQTTSNFlags(qos: ack.qos).rawValue)
            buffer.writeInteger(ack.topicID)
            buffer.writeInteger(ack.messageID)
            buffer.writeInteger(ack.returnCode.rawValue)
        case .unsubscribe(let unsubscribe):
            buffer.writeInteger(MQTTSNFlags(topicIDType: unsubscribe.topic.topicIDType).rawValue)
            buffer.writeInteger(unsubscribe.messageID)
            Self.writeTopic(unsubscribe.topic, into: &buffer)
        case .unsubscribeAck(let ack):
            buffer.writeInteger(ack.messageID)
        case .pingRequest(let ping):
            if let clientID = ping.clientID {
                buffer.writeString(clientID)
            }
        case .disconnect(let disconnect):
            if let duration = disconnect.duration {
                buffer.writeInteger(duration)
            }
        case .willTopicResponse(let response):
            buffer.writeInteger(response.returnCode.rawValue)
        case .willMessageResponse(let response):
            buffer.writeInteger(response.returnCode.rawValue)
        case .forwarderEncapsulation:
            // validatedBodyLength() refuses nested encapsulations before anything is written.
            preconditionFailure("nested forwarder encapsulation passed validation")
        }
    }

    private static func writeWill(_ will: MQTTSNWill?, into buffer: inout ByteBuffer) {
        guard let will else {
            return
        }
        buffer.writeInteger(MQTTSNFlags(qos: will.qos, retain: will.retain).rawValue)
        buffer.writeString(will.topicName)
    }

    private static func writeTopic(_ topic: MQTTSNTopic, into buffer: inout ByteBuffer) {
        switch topic {
        case .name(let name):
            buffer.writeString(name)
        case .predefined(let topicID):
            buffer.writeInteger(topicID)
        case .shortName(let shortName):
            buffer.writeInteger(shortName.rawValue)
        }
    }
}
