import NIOCore
import Testing

@testable import MQTTClient

@Suite("Remaining Length (Variable Byte Integer)")
struct RemainingLengthTests {
    /// The boundaries from the MQTT specification's table 2.1.
    static let boundaries: [(Int, [UInt8])] = [
        (0, [0x00]),
        (127, [0x7F]),
        (128, [0x80, 0x01]),
        (16_383, [0xFF, 0x7F]),
        (16_384, [0x80, 0x80, 0x01]),
        (2_097_151, [0xFF, 0xFF, 0x7F]),
        (2_097_152, [0x80, 0x80, 0x80, 0x01]),
        (268_435_455, [0xFF, 0xFF, 0xFF, 0x7F]),
    ]

    @Test("encodes the boundary values", arguments: boundaries)
    func encodes(value: Int, bytes: [UInt8]) {
        var buffer = ByteBuffer()
        let written = buffer.writeVariableByteInteger(value)
        #expect(Array(buffer.readableBytesView) == bytes)
        #expect(written == bytes.count)
        #expect(ByteBuffer.variableByteIntegerLength(value) == bytes.count)
    }

    @Test("decodes the boundary values", arguments: boundaries)
    func decodes(value: Int, bytes: [UInt8]) throws {
        var buffer = ByteBuffer(bytes: bytes)
        #expect(try buffer.readVariableByteInteger(field: "test") == value)
    }

    @Test(
        "the decoder frames packets at each boundary it can hold in memory",
        arguments: [127, 128, 16_383, 16_384, 2_097_151, 2_097_152]
    )
    func decoderFramesBoundaryLengths(bodyLength: Int) throws {
        // A PUBLISH body is a 2-byte topic length, a 1-byte topic and the payload.
        let payload = ByteBuffer(repeating: 0x5A, count: bodyLength - 3)
        let packet = MQTTPacket.publish(
            MQTTPublishPacket(message: MQTTMessage(topic: "t", payload: payload), packetID: nil)
        )
        var buffer = ByteBuffer()
        try packet.encode(into: &buffer, version: .v3_1_1)
        #expect(buffer.readableBytes == 1 + ByteBuffer.variableByteIntegerLength(bodyLength) + bodyLength)
        var decoder = MQTTPacketDecoder(protocolVersion: .v3_1_1)
        // One byte short: not yet a packet.
        var partial = buffer.getSlice(at: buffer.readerIndex, length: buffer.readableBytes - 1)!
        #expect(try decoder.decode(buffer: &partial) == nil)
        #expect(try decoder.decode(buffer: &buffer) == packet)
    }

    @Test("the largest remaining length is accepted by the header parser")
    func largestRemainingLengthHeader() throws {
        // Only the header: the decoder must wait for the body rather than reject the length.
        var decoder = MQTTPacketDecoder(protocolVersion: .v3_1_1)
        var buffer = ByteBuffer(bytes: [0x30, 0xFF, 0xFF, 0xFF, 0x7F, 0x00])
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(buffer.readerIndex == 0)
    }

    @Test("a fifth length byte is rejected")
    func fiveBytesRejected() {
        var decoder = MQTTPacketDecoder(protocolVersion: .v5)
        var buffer = ByteBuffer(bytes: [0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00])
        #expect(throws: MQTTDecodingError.remainingLengthTooLong) { try decoder.decode(buffer: &buffer) }
        var inside = ByteBuffer(bytes: [0x80, 0x80, 0x80, 0x80, 0x01])
        #expect(throws: MQTTDecodingError.remainingLengthTooLong) { try inside.readVariableByteInteger(field: "test") }
    }

    @Test("a packet over the maximum packet size is rejected from its header alone")
    func maximumPacketSizeFromHeader() {
        var decoder = MQTTPacketDecoder(protocolVersion: .v3_1_1, maximumPacketSize: 128)
        // 1 + 2 + 126 = 129 bytes announced; none of the body has arrived.
        var buffer = ByteBuffer(bytes: [0x30, 0xFE, 0x00])
        #expect(throws: MQTTDecodingError.packetTooLarge) { try decoder.decode(buffer: &buffer) }
        var fits = ByteBuffer(bytes: [0x30, 0x7D])
        #expect((try? decoder.decode(buffer: &fits)) == .some(nil))
    }
}
