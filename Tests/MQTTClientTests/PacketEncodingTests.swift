import NIOCore
import Testing

@testable import MQTTClient

/// Byte-exact vectors for every packet type, checked in both directions: encoding gives the bytes, and decoding
/// the bytes gives the packet back.
@Suite("Packet encoding and decoding vectors")
struct PacketEncodingTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let packet: MQTTPacket
        let version: MQTTProtocolVersion
        let bytes: [UInt8]
        var testDescription: String { "\(name) (\(version))" }
    }

    static let topic: [UInt8] = [0x00, 0x03, 0x61, 0x2F, 0x62]  // "a/b"
    static let filter: [UInt8] = [0x00, 0x03, 0x61, 0x2F, 0x23]  // "a/#"

    static let vectors: [Vector] = [
        Vector(
            name: "CONNECT minimal",
            packet: .connect(
                MQTTConnectPacket(protocolVersion: .v3_1_1, cleanSession: true, keepAliveSeconds: 60, clientID: "abc")
            ),
            version: .v3_1_1,
            bytes: [
                0x10, 0x0F, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3C, 0x00, 0x03, 0x61, 0x62, 0x63,
            ]
        ),
        Vector(
            name: "CONNECT minimal",
            packet: .connect(
                MQTTConnectPacket(protocolVersion: .v5, cleanSession: true, keepAliveSeconds: 60, clientID: "abc")
            ),
            version: .v5,
            bytes: [
                0x10, 0x10, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x03, 0x61, 0x62,
                0x63,
            ]
        ),
        Vector(
            name: "CONNECT with will, user name and password",
            packet: .connect(
                MQTTConnectPacket(
                    protocolVersion: .v3_1_1,
                    cleanSession: true,
                    keepAliveSeconds: 10,
                    clientID: "c",
                    will: MQTTWill(topic: "t", payload: ByteBuffer(string: "wp"), qos: .atLeastOnce, retain: true),
                    username: "u",
                    password: Array("pw".utf8)
                )
            ),
            version: .v3_1_1,
            bytes: [
                0x10, 0x1B, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x04, 0xEE, 0x00, 0x0A,
                0x00, 0x01, 0x63, 0x00, 0x01, 0x74, 0x00, 0x02, 0x77, 0x70, 0x00, 0x01, 0x75, 0x00, 0x02, 0x70, 0x77,
            ]
        ),
        Vector(
            name: "CONNECT with session expiry and a will with properties",
            packet: .connect(
                MQTTConnectPacket(
                    protocolVersion: .v5,
                    cleanSession: false,
                    keepAliveSeconds: 0,
                    clientID: "c",
                    will: MQTTWill(
                        topic: "t",
                        payload: ByteBuffer(),
                        qos: .atMostOnce,
                        properties: [.willDelayInterval(5)]
                    ),
                    properties: [.sessionExpiryInterval(0x100)]
                )
            ),
            version: .v5,
            bytes: [
                0x10, 0x1E, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x05, 0x04, 0x00, 0x00,
                0x05, 0x11, 0x00, 0x00, 0x01, 0x00,
                0x00, 0x01, 0x63,
                0x05, 0x18, 0x00, 0x00, 0x00, 0x05, 0x00, 0x01, 0x74, 0x00, 0x00,
            ]
        ),
        Vector(
            name: "CONNACK session present",
            packet: .connack(MQTTConnAckPacket(sessionPresent: true, returnCode: 0)),
            version: .v3_1_1,
            bytes: [0x20, 0x02, 0x01, 0x00]
        ),
        Vector(
            name: "CONNACK with maximum packet size",
            packet: .connack(
                MQTTConnAckPacket(sessionPresent: false, returnCode: 0, properties: [.maximumPacketSize(1024)])
            ),
            version: .v5,
            bytes: [0x20, 0x08, 0x00, 0x00, 0x05, 0x27, 0x00, 0x00, 0x04, 0x00]
        ),
        Vector(
            name: "CONNACK bad user name or password",
            packet: .connack(MQTTConnAckPacket(sessionPresent: false, returnCode: 0x86)),
            version: .v5,
            bytes: [0x20, 0x03, 0x00, 0x86, 0x00]
        ),
        Vector(
            name: "PUBLISH QoS 0",
            packet: .publish(MQTTPublishPacket(message: MQTTMessage(topic: "a/b", payload: "hi"), packetID: nil)),
            version: .v3_1_1,
            bytes: [0x30, 0x07] + topic + [0x68, 0x69]
        ),
        Vector(
            name: "PUBLISH QoS 1 DUP retain",
            packet: .publish(
                MQTTPublishPacket(
                    message: MQTTMessage(topic: "a/b", payload: "hi", qos: .atLeastOnce, retain: true),
                    packetID: 10,
                    duplicate: true
                )
            ),
            version: .v3_1_1,
            bytes: [0x3B, 0x09] + topic + [0x00, 0x0A, 0x68, 0x69]
        ),
        Vector(
            name: "PUBLISH QoS 2 with message expiry",
            packet: .publish(
                MQTTPublishPacket(
                    message: MQTTMessage(
                        topic: "a/b",
                        payload: "hi",
                        qos: .exactlyOnce,
                        properties: [.messageExpiryInterval(60)]
                    ),
                    packetID: 1
                )
            ),
            version: .v5,
            bytes: [0x34, 0x0F] + topic + [0x00, 0x01, 0x05, 0x02, 0x00, 0x00, 0x00, 0x3C, 0x68, 0x69]
        ),
        Vector(
            name: "PUBLISH QoS 0 without properties",
            packet: .publish(MQTTPublishPacket(message: MQTTMessage(topic: "a/b", payload: ""), packetID: nil)),
            version: .v5,
            bytes: [0x30, 0x06] + topic + [0x00]
        ),
        Vector(
            name: "PUBACK",
            packet: .puback(MQTTPublishResponsePacket(packetID: 5)),
            version: .v3_1_1,
            bytes: [0x40, 0x02, 0x00, 0x05]
        ),
        Vector(
            name: "PUBACK success",
            packet: .puback(MQTTPublishResponsePacket(packetID: 5)),
            version: .v5,
            bytes: [0x40, 0x02, 0x00, 0x05]
        ),
        Vector(
            name: "PUBACK no matching subscribers",
            packet: .puback(MQTTPublishResponsePacket(packetID: 5, reasonCode: .noMatchingSubscribers)),
            version: .v5,
            bytes: [0x40, 0x03, 0x00, 0x05, 0x10]
        ),
        Vector(
            name: "PUBACK with reason string",
            packet: .puback(
                MQTTPublishResponsePacket(packetID: 5, reasonCode: .notAuthorized, properties: [.reasonString("no")])
            ),
            version: .v5,
            bytes: [0x40, 0x09, 0x00, 0x05, 0x87, 0x05, 0x1F, 0x00, 0x02, 0x6E, 0x6F]
        ),
        Vector(
            name: "PUBREC",
            packet: .pubrec(MQTTPublishResponsePacket(packetID: 0x1234)),
            version: .v3_1_1,
            bytes: [0x50, 0x02, 0x12, 0x34]
        ),
        Vector(
            name: "PUBREL",
            packet: .pubrel(MQTTPublishResponsePacket(packetID: 0x1234)),
            version: .v3_1_1,
            bytes: [0x62, 0x02, 0x12, 0x34]
        ),
        Vector(
            name: "PUBCOMP",
            packet: .pubcomp(MQTTPublishResponsePacket(packetID: 0x1234)),
            version: .v5,
            bytes: [0x70, 0x02, 0x12, 0x34]
        ),
        Vector(
            name: "PUBREC quota exceeded",
            packet: .pubrec(MQTTPublishResponsePacket(packetID: 1, reasonCode: .quotaExceeded)),
            version: .v5,
            bytes: [0x50, 0x03, 0x00, 0x01, 0x97]
        ),
        Vector(
            name: "SUBSCRIBE",
            packet: .subscribe(
                MQTTSubscribePacket(
                    packetID: 1,
                    subscriptions: [MQTTSubscription(topicFilter: "a/#", qos: .atLeastOnce)]
                )
            ),
            version: .v3_1_1,
            bytes: [0x82, 0x08, 0x00, 0x01] + filter + [0x01]
        ),
        Vector(
            name: "SUBSCRIBE with subscription options",
            packet: .subscribe(
                MQTTSubscribePacket(
                    packetID: 1,
                    subscriptions: [
                        MQTTSubscription(
                            topicFilter: "a/#",
                            qos: .atLeastOnce,
                            noLocal: true,
                            retainAsPublished: true,
                            retainHandling: .doNotSend
                        )
                    ]
                )
            ),
            version: .v5,
            bytes: [0x82, 0x09, 0x00, 0x01, 0x00] + filter + [0x2D]
        ),
        Vector(
            name: "SUBACK",
            packet: .suback(MQTTSubAckPacket(packetID: 1, reasonCodes: [.grantedQoS1, .unspecifiedError])),
            version: .v3_1_1,
            bytes: [0x90, 0x04, 0x00, 0x01, 0x01, 0x80]
        ),
        Vector(
            name: "SUBACK not authorized",
            packet: .suback(MQTTSubAckPacket(packetID: 1, reasonCodes: [.notAuthorized])),
            version: .v5,
            bytes: [0x90, 0x04, 0x00, 0x01, 0x00, 0x87]
        ),
        Vector(
            name: "UNSUBSCRIBE",
            packet: .unsubscribe(MQTTUnsubscribePacket(packetID: 2, topicFilters: ["a/#"])),
            version: .v3_1_1,
            bytes: [0xA2, 0x07, 0x00, 0x02] + filter
        ),
        Vector(
            name: "UNSUBSCRIBE",
            packet: .unsubscribe(MQTTUnsubscribePacket(packetID: 2, topicFilters: ["a/#"])),
            version: .v5,
            bytes: [0xA2, 0x08, 0x00, 0x02, 0x00] + filter
        ),
        Vector(
            name: "UNSUBACK",
            packet: .unsuback(MQTTUnsubAckPacket(packetID: 2)),
            version: .v3_1_1,
            bytes: [0xB0, 0x02, 0x00, 0x02]
        ),
        Vector(
            name: "UNSUBACK no subscription existed",
            packet: .unsuback(MQTTUnsubAckPacket(packetID: 2, reasonCodes: [.noSubscriptionExisted])),
            version: .v5,
            bytes: [0xB0, 0x04, 0x00, 0x02, 0x00, 0x11]
        ),
        Vector(name: "PINGREQ", packet: .pingreq, version: .v3_1_1, bytes: [0xC0, 0x00]),
        Vector(name: "PINGRESP", packet: .pingresp, version: .v5, bytes: [0xD0, 0x00]),
        Vector(name: "DISCONNECT", packet: .disconnect(MQTTDisconnectPacket()), version: .v3_1_1, bytes: [0xE0, 0x00]),
        Vector(
            name: "DISCONNECT normal",
            packet: .disconnect(MQTTDisconnectPacket()),
            version: .v5,
            bytes: [0xE0, 0x00]
        ),
        Vector(
            name: "DISCONNECT with will message",
            packet: .disconnect(MQTTDisconnectPacket(reasonCode: .disconnectWithWillMessage)),
            version: .v5,
            bytes: [0xE0, 0x01, 0x04]
        ),
    ]

    @Test("encodes to the exact bytes", arguments: vectors)
    func encodes(_ vector: Vector) throws {
        var buffer = ByteBuffer()
        try vector.packet.encode(into: &buffer, version: vector.version)
        #expect(Array(buffer.readableBytesView) == vector.bytes)
    }

    @Test("decodes the exact bytes", arguments: vectors)
    func decodes(_ vector: Vector) throws {
        var decoder = MQTTPacketDecoder(protocolVersion: vector.version)
        var buffer = ByteBuffer(bytes: vector.bytes)
        let packet = try decoder.decode(buffer: &buffer)
        #expect(packet == vector.packet)
        #expect(buffer.readableBytes == 0)
    }

    @Test("a byte at a time decodes to the same packet", arguments: vectors)
    func decodesIncrementally(_ vector: Vector) throws {
        var decoder = MQTTPacketDecoder(protocolVersion: vector.version)
        var buffer = ByteBuffer()
        var decoded: MQTTPacket?
        for (index, byte) in vector.bytes.enumerated() {
            buffer.writeInteger(byte)
            decoded = try decoder.decode(buffer: &buffer)
            if index < vector.bytes.count - 1 { #expect(decoded == nil) }
        }
        #expect(decoded == vector.packet)
    }

    @Test("encoding appends after existing bytes without disturbing them")
    func encodingAppends() throws {
        var buffer = ByteBuffer(bytes: [0xAA, 0xBB])
        try MQTTPacket.pingreq.encode(into: &buffer, version: .v3_1_1)
        try MQTTPacket.puback(MQTTPublishResponsePacket(packetID: 1)).encode(into: &buffer, version: .v3_1_1)
        #expect(Array(buffer.readableBytesView) == [0xAA, 0xBB, 0xC0, 0x00, 0x40, 0x02, 0x00, 0x01])
    }

    @Test("a packet over the peer's maximum is refused and nothing is written")
    func encoderEnforcesMaximumPacketSize() throws {
        let encoder = MQTTPacketEncoder(protocolVersion: .v5, maximumPacketSize: 20)
        var buffer = ByteBuffer(bytes: [0x01])
        let small = MQTTPacket.publish(MQTTPublishPacket(message: MQTTMessage(topic: "a", payload: "x"), packetID: nil))
        let large = MQTTPacket.publish(
            MQTTPublishPacket(
                message: MQTTMessage(topic: "a", payload: String(repeating: "x", count: 100)),
                packetID: nil
            )
        )
        #expect(throws: MQTTEncodingError.packetTooLarge) { try encoder.encode(large, into: &buffer) }
        #expect(Array(buffer.readableBytesView) == [0x01])
        try encoder.encode(small, into: &buffer)
        #expect(buffer.readableBytes == 1 + 7)
    }

    @Test("a topic longer than 65535 bytes cannot be encoded")
    func stringTooLong() {
        var buffer = ByteBuffer()
        let packet = MQTTPacket.publish(
            MQTTPublishPacket(
                message: MQTTMessage(topic: String(repeating: "t", count: 70_000), payload: ""),
                packetID: nil
            )
        )
        #expect(throws: MQTTEncodingError.stringTooLong) { try packet.encode(into: &buffer, version: .v3_1_1) }
        #expect(buffer.readableBytes == 0)
    }

    @Test("QoS 1 PUBLISH without a packet identifier cannot be encoded")
    func missingPacketIdentifier() {
        var buffer = ByteBuffer()
        let packet = MQTTPacket.publish(
            MQTTPublishPacket(message: MQTTMessage(topic: "a", payload: "", qos: .atLeastOnce), packetID: nil)
        )
        #expect(throws: MQTTEncodingError.invalidPacketIdentifier) {
            try packet.encode(into: &buffer, version: .v3_1_1)
        }
    }

    @Test(
        "encodedSize matches the encoded bytes",
        arguments: [MQTTProtocolVersion.v3_1_1, .v5],
        [0, 1, 120, 127, 128, 20_000]
    )
    func encodedSizeIsExact(version: MQTTProtocolVersion, payloadSize: Int) throws {
        let packet = MQTTPublishPacket(
            message: MQTTMessage(
                topic: "sensors/1",
                payload: ByteBuffer(repeating: 0x41, count: payloadSize),
                qos: .atLeastOnce,
                properties: [.userProperty("k", "v")]
            ),
            packetID: 9
        )
        var buffer = ByteBuffer()
        try MQTTPacket.publish(packet).encode(into: &buffer, version: version)
        #expect(packet.encodedSize(version: version) == buffer.readableBytes)
    }

    @Test("every v5 property survives a round trip")
    func propertiesRoundTrip() throws {
        let properties: MQTTProperties = [
            .payloadFormatIndicator(1), .messageExpiryInterval(7), .contentType("text/plain"), .responseTopic("r"),
            .correlationData(ByteBuffer(bytes: [1, 2])), .subscriptionIdentifier(268_435_455),
            .sessionExpiryInterval(9),
            .assignedClientIdentifier("id"), .serverKeepAlive(30), .authenticationMethod("m"),
            .authenticationData(ByteBuffer(bytes: [3])), .requestProblemInformation(1), .willDelayInterval(2),
            .requestResponseInformation(0), .responseInformation("ri"), .serverReference("sr"), .reasonString("why"),
            .receiveMaximum(10), .topicAliasMaximum(0), .topicAlias(3), .maximumQoS(1), .retainAvailable(1),
            .userProperty("a", "b"), .userProperty("a", "c"), .maximumPacketSize(4096),
            .wildcardSubscriptionAvailable(1),
            .subscriptionIdentifierAvailable(0), .sharedSubscriptionAvailable(1),
        ]
        var buffer = ByteBuffer()
        try properties.write(to: &buffer)
        #expect(buffer.readableBytes == properties.encodedLengthWithPrefix)
        let decoded = try MQTTProperties.read(from: &buffer)
        #expect(decoded == properties)
        #expect(decoded.userProperties.map(\.value) == ["b", "c"])
        #expect(decoded.maximumPacketSize == 4096)
        #expect(decoded.subscriptionIdentifiers == [268_435_455])
    }
}
