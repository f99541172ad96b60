import MQTTSN
import NIOCore
import Testing

@Suite("MQTTSNMessageHeader: type and body of a message that did not decode")
struct MQTTSNMessageHeaderTests {
    @Test("Short and long length forms give the type and the body up to the declared length")
    func lengthForms() throws {
        let short = try #require(
            MQTTSNMessageHeader(peeking: ByteBuffer(bytes: [0x07, 0x12, 0x23, 0x00, 0x2A, 0x00, 0x01]))
        )
        #expect(short.type == .subscribe)
        #expect(short.octet(at: 0) == 0x23)
        #expect(short.uint16(at: 1) == 0x002A)
        #expect(short.body.readableBytes == 5)
        let long = try #require(
            MQTTSNMessageHeader(peeking: ByteBuffer(bytes: [0x01, 0x00, 0x07, 0x0A, 0x00, 0x01, 0x99]))
        )
        #expect(long.type == .register)
        #expect(Array(long.body.readableBytesView) == [0x00, 0x01, 0x99])
    }

    @Test("A datagram shorter than its length field says gives the octets present; longer ones only the declared")
    func mismatchedLengths() throws {
        let truncated = try #require(MQTTSNMessageHeader(peeking: ByteBuffer(bytes: [0x09, 0x0A, 0x00, 0x01])))
        #expect(truncated.uint16(at: 0) == 0x0001)
        #expect(truncated.uint16(at: 2) == nil)
        let trailing = try #require(MQTTSNMessageHeader(peeking: ByteBuffer(bytes: [0x03, 0x18, 0x00, 0xFF, 0xFF])))
        #expect(Array(trailing.body.readableBytesView) == [0x00])
    }

    @Test(
        "No header without a length field and a defined type",
        arguments: [[], [0x05], [0x01, 0x00], [0x03, 0x03, 0x00], [0x01, 0x00, 0x02, 0x0A], [0x00, 0x04]] as [[UInt8]]
    )
    func noHeader(_ bytes: [UInt8]) {
        #expect(MQTTSNMessageHeader(peeking: ByteBuffer(bytes: bytes)) == nil)
    }
}
