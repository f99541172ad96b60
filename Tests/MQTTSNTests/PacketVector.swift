import MQTTSN
import NIOCore
import Testing

/// A message written byte by byte from the specification's layout, with the packet it must decode to.
struct PacketVector: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var packet: MQTTSNPacket

    var testDescription: String { self.name }

    init(_ name: String, _ bytes: [UInt8], _ packet: MQTTSNPacket) {
        self.name = name
        self.bytes = bytes
        self.packet = packet
    }
}

extension MQTTSNPacket {
    /// Encodes into a fresh buffer and returns its bytes.
    func encodedBytes() throws -> [UInt8] {
        var buffer = ByteBuffer()
        try self.encode(into: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// Decodes `bytes` as one datagram.
    static func decode(
        _ bytes: [UInt8],
        limits: MQTTSNDecodingLimits = .default
    ) throws(MQTTSNDecodingError)
        -> MQTTSNPacket
    {
        var buffer = ByteBuffer(bytes: bytes)
        return try MQTTSNPacket.decode(from: &buffer, limits: limits)
    }
}

/// The 300-octet payload of the long-form PUBLISH vector: 0x00, 0x01, ... wrapping at 256.
let longPayload: [UInt8] = (0..<300).map { UInt8(truncatingIfNeeded: $0) }

/// One vector (at least) for every message type, written from the MQTT-SN v1.2 specification, section 5.4.
let packetVectors: [PacketVector] = [
    PacketVector(
        "ADVERTISE",
        // Length, MsgType, GwId 5, Duration 900
        [0x05, 0x00, 0x05, 0x03, 0x84],
        .advertise(MQTTSNAdvertise(gatewayID: 5, duration: 900))
    ),
    PacketVector(
        "SEARCHGW",
        // Length, MsgType, Radius 1
        [0x03, 0x01, 0x01],
        .searchGateway(MQTTSNSearchGateway(radius: 1))
    ),
    PacketVector(
        "GWINFO from a gateway",
        // Length, MsgType, GwId 7
        [0x03, 0x02, 0x07],
        .gatewayInfo(MQTTSNGatewayInfo(gatewayID: 7))
    ),
    PacketVector(
        "GWINFO from a client, with address",
        // Length, MsgType, GwId 7, GwAdd 192.168.0.1
        [0x07, 0x02, 0x07, 0xC0, 0xA8, 0x00, 0x01],
        .gatewayInfo(MQTTSNGatewayInfo(gatewayID: 7, gatewayAddress: ByteBuffer(bytes: [0xC0, 0xA8, 0x00, 0x01])))
    ),
    PacketVector(
        "CONNECT with will and clean session",
        // Length 13, MsgType, Flags Will|CleanSession, ProtocolId, Duration 60, ClientId "sensor1"
        [0x0D, 0x04, 0x0C, 0x01, 0x00, 0x3C, 0x73, 0x65, 0x6E, 0x73, 0x6F, 0x72, 0x31],
        .connect(MQTTSNConnect(will: true, cleanSession: true, duration: 60, clientID: "sensor1"))
    ),
    PacketVector(
        "CONNECT keeping the session, no will",
        // Length 7, MsgType, Flags none, ProtocolId, Duration 65535, ClientId "c"
        [0x07, 0x04, 0x00, 0x01, 0xFF, 0xFF, 0x63],
        .connect(MQTTSNConnect(will: false, cleanSession: false, duration: 65535, clientID: "c"))
    ),
    PacketVector(
        "CONNACK accepted",
        // Length, MsgType, ReturnCode accepted
        [0x03, 0x05, 0x00],
        .connectAck(MQTTSNConnectAck(returnCode: .accepted))
    ),
    PacketVector(
        "CONNACK congestion",
        // Length, MsgType, ReturnCode rejected: congestion
        [0x03, 0x05, 0x01],
        .connectAck(MQTTSNConnectAck(returnCode: .rejectedCongestion))
    ),
    PacketVector(
        "CONNACK reserved return code kept",
        // Length, MsgType, ReturnCode 0x7F (reserved)
        [0x03, 0x05, 0x7F],
        .connectAck(MQTTSNConnectAck(returnCode: MQTTSNReturnCode(rawValue: 0x7F)))
    ),
    PacketVector(
        "WILLTOPICREQ",
        // Length, MsgType
        [0x02, 0x06],
        .willTopicRequest(MQTTSNWillTopicRequest())
    ),
    PacketVector(
        "WILLTOPIC QoS 1 retained",
        // Length, MsgType, Flags QoS 1 (0x20) | Retain (0x10), WillTopic "dead"
        [0x07, 0x07, 0x30, 0x64, 0x65, 0x61, 0x64],
        .willTopic(MQTTSNWillTopic(will: MQTTSNWill(qos: .atLeastOnce, retain: true, topicName: "dead")))
    ),
    PacketVector(
        "WILLTOPIC empty, deleting the will",
        // Length, MsgType
        [0x02, 0x07],
        .willTopic(MQTTSNWillTopic(will: nil))
    ),
    PacketVector(
        "WILLMSGREQ",
        // Length, MsgType
        [0x02, 0x08],
        .willMessageRequest(MQTTSNWillMessageRequest())
    ),
    PacketVector(
        "WILLMSG",
        // Length, MsgType, WillMsg "bye"
        [0x05, 0x09, 0x62, 0x79, 0x65],
        .willMessage(MQTTSNWillMessage(message: ByteBuffer(string: "bye")))
    ),
    PacketVector(
        "REGISTER from a client",
        // Length 9, MsgType, TopicId 0, MsgId 1, TopicName "a/b"
        [0x09, 0x0A, 0x00, 0x00, 0x00, 0x01, 0x61, 0x2F, 0x62],
        .register(MQTTSNRegister(topicID: 0, messageID: 1, topicName: "a/b"))
    ),
    PacketVector(
        "REGACK",
        // Length, MsgType, TopicId 0x0011, MsgId 1, ReturnCode accepted
        [0x07, 0x0B, 0x00, 0x11, 0x00, 0x01, 0x00],
        .registerAck(MQTTSNRegisterAck(topicID: 0x0011, messageID: 1, returnCode: .accepted))
    ),
    PacketVector(
        "PUBLISH QoS 1 normal topic id",
        // Length 11, MsgType, Flags QoS 1, TopicId 0x0011, MsgId 2, Data "21.5"
        [0x0B, 0x0C, 0x20, 0x00, 0x11, 0x00, 0x02, 0x32, 0x31, 0x2E, 0x35],
        .publish(MQTTSNPublish(qos: .atLeastOnce, topicID: 0x0011, messageID: 2, payload: ByteBuffer(string: "21.5")))
    ),
    PacketVector(
        "PUBLISH QoS -1 retained short topic name",
        // Length, MsgType, Flags QoS -1 (0x60) | Retain (0x10) | short name (0x02), TopicId "tt", MsgId 0, Data "1"
        [0x08, 0x0C, 0x72, 0x74, 0x74, 0x00, 0x00, 0x31],
        .publish(
            MQTTSNPublish(
                qos: .fireAndForget,
                retain: true,
                topicIDType: .shortName,
                topicID: MQTTSNShortTopicName("tt")!.rawValue,
                payload: ByteBuffer(string: "1")
            )
        )
    ),
    PacketVector(
        "PUBLISH DUP QoS 2 predefined topic id, empty data",
        // Length, MsgType, Flags DUP (0x80) | QoS 2 (0x40) | predefined (0x01), TopicId 0x0102, MsgId 0xBEEF
        [0x07, 0x0C, 0xC1, 0x01, 0x02, 0xBE, 0xEF],
        .publish(
            MQTTSNPublish(
                dup: true,
                qos: .exactlyOnce,
                topicIDType: .predefined,
                topicID: 0x0102,
                messageID: 0xBEEF,
                payload: ByteBuffer()
            )
        )
    ),
    PacketVector(
        "PUBLISH QoS 0 with 300 octets of data, long length form",
        // 0x01, Length 309, MsgType, Flags QoS 0, TopicId 1, MsgId 0, Data 300 octets
        [0x01, 0x01, 0x35, 0x0C, 0x00, 0x00, 0x01, 0x00, 0x00] + longPayload,
        .publish(MQTTSNPublish(qos: .atMostOnce, topicID: 1, payload: ByteBuffer(bytes: longPayload)))
    ),
    PacketVector(
        "PUBACK invalid topic id",
        // Length, MsgType, TopicId 0x0011, MsgId 2, ReturnCode rejected: invalid topic ID
        [0x07, 0x0D, 0x00, 0x11, 0x00, 0x02, 0x02],
        .publishAck(MQTTSNPublishAck(topicID: 0x0011, messageID: 2, returnCode: .rejectedInvalidTopicID))
    ),
    PacketVector(
        "PUBCOMP",
        // Length, MsgType, MsgId 3
        [0x04, 0x0E, 0x00, 0x03],
        .publishComplete(MQTTSNPublishComplete(messageID: 3))
    ),
    PacketVector(
        "PUBREC",
        // Length, MsgType, MsgId 3
        [0x04, 0x0F, 0x00, 0x03],
        .publishReceived(MQTTSNPublishReceived(messageID: 3))
    ),
    PacketVector(
        "PUBREL",
        // Length, MsgType, MsgId 0x1234
        [0x04, 0x10, 0x12, 0x34],
        .publishRelease(MQTTSNPublishRelease(messageID: 0x1234))
    ),
    PacketVector(
        "SUBSCRIBE QoS 1 topic filter",
        // Length, MsgType, Flags QoS 1 | topic name (0x00), MsgId 4, TopicName "s/#"
        [0x08, 0x12, 0x20, 0x00, 0x04, 0x73, 0x2F, 0x23],
        .subscribe(MQTTSNSubscribe(qos: .atLeastOnce, messageID: 4, topic: .name("s/#")))
    ),
    PacketVector(
        "SUBSCRIBE DUP QoS 0 predefined topic id",
        // Length, MsgType, Flags DUP | predefined, MsgId 5, TopicId 0x0102
        [0x07, 0x12, 0x81, 0x00, 0x05, 0x01, 0x02],
        .subscribe(MQTTSNSubscribe(dup: true, qos: .atMostOnce, messageID: 5, topic: .predefined(0x0102)))
    ),
    PacketVector(
        "SUBSCRIBE QoS 2 short topic name",
        // Length, MsgType, Flags QoS 2 | short name, MsgId 6, TopicName "tt"
        [0x07, 0x12, 0x42, 0x00, 0x06, 0x74, 0x74],
        .subscribe(MQTTSNSubscribe(qos: .exactlyOnce, messageID: 6, topic: .shortName(MQTTSNShortTopicName("tt")!)))
    ),
    PacketVector(
        "SUBACK QoS 1 granted",
        // Length, MsgType, Flags QoS 1, TopicId 0x0012, MsgId 4, ReturnCode accepted
        [0x08, 0x13, 0x20, 0x00, 0x12, 0x00, 0x04, 0x00],
        .subscribeAck(MQTTSNSubscribeAck(qos: .atLeastOnce, topicID: 0x0012, messageID: 4, returnCode: .accepted))
    ),
    PacketVector(
        "UNSUBSCRIBE topic name",
        // Length, MsgType, Flags topic name, MsgId 7, TopicName "s/#"
        [0x08, 0x14, 0x00, 0x00, 0x07, 0x73, 0x2F, 0x23],
        .unsubscribe(MQTTSNUnsubscribe(messageID: 7, topic: .name("s/#")))
    ),
    PacketVector(
        "UNSUBSCRIBE predefined topic id",
        // Length, MsgType, Flags predefined, MsgId 8, TopicId 0x0102
        [0x07, 0x14, 0x01, 0x00, 0x08, 0x01, 0x02],
        .unsubscribe(MQTTSNUnsubscribe(messageID: 8, topic: .predefined(0x0102)))
    ),
    PacketVector(
        "UNSUBACK",
        // Length, MsgType, MsgId 7
        [0x04, 0x15, 0x00, 0x07],
        .unsubscribeAck(MQTTSNUnsubscribeAck(messageID: 7))
    ),
    PacketVector(
        "PINGREQ keep-alive",
        // Length, MsgType
        [0x02, 0x16],
        .pingRequest(MQTTSNPingRequest())
    ),
    PacketVector(
        "PINGREQ from a waking client",
        // Length, MsgType, ClientId "sensor1"
        [0x09, 0x16, 0x73, 0x65, 0x6E, 0x73, 0x6F, 0x72, 0x31],
        .pingRequest(MQTTSNPingRequest(clientID: "sensor1"))
    ),
    PacketVector(
        "PINGRESP",
        // Length, MsgType
        [0x02, 0x17],
        .pingResponse(MQTTSNPingResponse())
    ),
    PacketVector(
        "DISCONNECT",
        // Length, MsgType
        [0x02, 0x18],
        .disconnect(MQTTSNDisconnect())
    ),
    PacketVector(
        "DISCONNECT going to sleep",
        // Length, MsgType, Duration 3600
        [0x04, 0x18, 0x0E, 0x10],
        .disconnect(MQTTSNDisconnect(duration: 3600))
    ),
    PacketVector(
        "WILLTOPICUPD QoS 2",
        // Length, MsgType, Flags QoS 2, WillTopic "dead"
        [0x07, 0x1A, 0x40, 0x64, 0x65, 0x61, 0x64],
        .willTopicUpdate(MQTTSNWillTopicUpdate(will: MQTTSNWill(qos: .exactlyOnce, topicName: "dead")))
    ),
    PacketVector(
        "WILLTOPICUPD empty, deleting the will",
        // Length, MsgType
        [0x02, 0x1A],
        .willTopicUpdate(MQTTSNWillTopicUpdate(will: nil))
    ),
    PacketVector(
        "WILLTOPICRESP not supported",
        // Length, MsgType, ReturnCode rejected: not supported
        [0x03, 0x1B, 0x03],
        .willTopicResponse(MQTTSNWillTopicResponse(returnCode: .rejectedNotSupported))
    ),
    PacketVector(
        "WILLMSGUPD",
        // Length, MsgType, WillMsg "bye"
        [0x05, 0x1C, 0x62, 0x79, 0x65],
        .willMessageUpdate(MQTTSNWillMessageUpdate(message: ByteBuffer(string: "bye")))
    ),
    PacketVector(
        "WILLMSGRESP",
        // Length, MsgType, ReturnCode accepted
        [0x03, 0x1D, 0x00],
        .willMessageResponse(MQTTSNWillMessageResponse(returnCode: .accepted))
    ),
    PacketVector(
        "Forwarder encapsulation of a PINGREQ",
        // Length 5 (header only), MsgType, Ctrl radius 1, WirelessNodeId 0xABCD, then PINGREQ: Length, MsgType
        [0x05, 0xFE, 0x01, 0xAB, 0xCD, 0x02, 0x16],
        .forwarderEncapsulation(
            MQTTSNForwarderEncapsulation(
                radius: 1,
                wirelessNodeID: ByteBuffer(bytes: [0xAB, 0xCD]),
                message: .pingRequest(MQTTSNPingRequest())
            )
        )
    ),
    PacketVector(
        "Forwarder encapsulation of a CONNECT",
        // Length 4, MsgType, Ctrl radius 3, WirelessNodeId 0x42, then CONNECT: Length 7, MsgType, Flags clean,
        // ProtocolId, Duration 30, ClientId "n"
        [0x04, 0xFE, 0x03, 0x42, 0x07, 0x04, 0x04, 0x01, 0x00, 0x1E, 0x6E],
        .forwarderEncapsulation(
            MQTTSNForwarderEncapsulation(
                radius: 3,
                wirelessNodeID: ByteBuffer(bytes: [0x42]),
                message: .connect(MQTTSNConnect(duration: 30, clientID: "n"))
            )
        )
    ),
]
