import MQTTSN
import NIOCore
import Testing

@Suite("Byte-exact vectors for every message type")
struct MQTTSNPacketVectorTests {
    @Test("encode produces the vector", arguments: packetVectors)
    func encodeMatchesVector(_ vector: PacketVector) throws {
        #expect(try vector.packet.encodedBytes() == vector.bytes)
    }

    @Test("decode of the vector gives the packet and consumes it", arguments: packetVectors)
    func decodeMatchesPacket(_ vector: PacketVector) throws {
        var buffer = ByteBuffer(bytes: vector.bytes)
        let packet = try MQTTSNPacket.decode(from: &buffer)
        #expect(packet == vector.packet)
        #expect(packet.messageType == vector.packet.messageType)
        #expect(buffer.readableBytes == 0)
    }

    @Test("encode then decode gives the packet back", arguments: packetVectors)
    func roundTrip(_ vector: PacketVector) throws {
        var buffer = ByteBuffer()
        try vector.packet.encode(into: &buffer)
        #expect(try MQTTSNPacket.decode(from: &buffer) == vector.packet)
    }

    @Test("every message type has a vector")
    func everyMessageTypeIsCovered() {
        let covered = Set(packetVectors.map { $0.packet.messageType })
        #expect(covered == Set(MQTTSNMessageType.allCases))
    }

    @Test("the vector's message type octet is the type's code", arguments: packetVectors)
    func messageTypeCode(_ vector: PacketVector) {
        let typeOffset = vector.bytes[0] == 0x01 ? 3 : 1
        #expect(vector.bytes[typeOffset] == vector.packet.messageType.rawValue)
    }

    @Test("encoding appends after existing bytes")
    func encodeAppends() throws {
        var buffer = ByteBuffer(bytes: [0xAA])
        try MQTTSNPacket.pingResponse(MQTTSNPingResponse()).encode(into: &buffer)
        #expect(Array(buffer.readableBytesView) == [0xAA, 0x02, 0x17])
    }
}

@Suite("Length field forms")
struct MQTTSNLengthFormTests {
    private func publish(payloadLength: Int) -> MQTTSNPacket {
        .publish(
            MQTTSNPublish(qos: .atMostOnce, topicID: 1, payload: ByteBuffer(repeating: 0x55, count: payloadLength))
        )
    }

    @Test("the long form is accepted for a short message, and re-encoded in the short form")
    func longFormForShortMessage() throws {
        // 0x01, Length 6, MsgType PUBREC, MsgId 3
        let packet = try MQTTSNPacket.decode([0x01, 0x00, 0x06, 0x0F, 0x00, 0x03])
        #expect(packet == .publishReceived(MQTTSNPublishReceived(messageID: 3)))
        #expect(try packet.encodedBytes() == [0x04, 0x0F, 0x00, 0x03])
    }

    @Test("255 octets is the largest short-form message")
    func largestShortForm() throws {
        // 2 header + 5 PUBLISH fields + 248 data = 255.
        let bytes = try self.publish(payloadLength: 248).encodedBytes()
        #expect(bytes.count == 255)
        #expect(Array(bytes.prefix(2)) == [0xFF, 0x0C])
    }

    @Test("one octet more switches to the long form")
    func smallestLongForm() throws {
        // Short form would be 256 octets, which one octet cannot express: 4 header + 5 + 249 = 258.
        let bytes = try self.publish(payloadLength: 249).encodedBytes()
        #expect(bytes.count == 258)
        #expect(Array(bytes.prefix(4)) == [0x01, 0x01, 0x02, 0x0C])
        #expect(try MQTTSNPacket.decode(bytes) == self.publish(payloadLength: 249))
    }

    @Test("the largest message the length field allows encodes and decodes with large enough limits")
    func largestMessage() throws {
        let packet = self.publish(payloadLength: 65_535 - 4 - 5)
        let bytes = try packet.encodedBytes()
        #expect(bytes.count == 65_535)
        #expect(Array(bytes.prefix(3)) == [0x01, 0xFF, 0xFF])
        let limits = MQTTSNDecodingLimits(maximumMessageLength: 65_535)
        #expect(try MQTTSNPacket.decode(bytes, limits: limits) == packet)
    }

    @Test("message limits are clamped to what the length field can express")
    func limitsClamped() {
        #expect(MQTTSNDecodingLimits(maximumMessageLength: 1_000_000).maximumMessageLength == 65_535)
        #expect(MQTTSNDecodingLimits(maximumMessageLength: 0).maximumMessageLength == 4)
        var limits = MQTTSNDecodingLimits()
        limits.maximumMessageLength = 70_000
        #expect(limits.maximumMessageLength == 65_535)
        #expect(MQTTSNDecodingLimits.default.maximumMessageLength == 1024)
        #expect(MQTTSNDecodingLimits.strict.maximumClientIDLength == 23)
    }
}
