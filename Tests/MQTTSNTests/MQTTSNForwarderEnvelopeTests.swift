import MQTTSN
import NIOCore
import Testing

@Suite("Forwarder Encapsulation envelope: open and wrap without decoding the relayed message")
struct MQTTSNForwarderEnvelopeTests {
    @Test("Wrap then open gives the node id and the relayed bytes back unchanged")
    func roundTrip() throws {
        let message = ByteBuffer(bytes: [0x06, 0x04, 0x04, 0x01, 0x00, 0x3C])
        let wrapped = MQTTSNForwarderEncapsulation.wrap(message, wirelessNodeID: [0x00, 0x13, 0xA2])
        #expect(
            Array(wrapped.readableBytesView) == [
                0x06, 0xFE, 0x00, 0x00, 0x13, 0xA2, 0x06, 0x04, 0x04, 0x01, 0x00, 0x3C,
            ]
        )
        let envelope = try #require(try MQTTSNForwarderEncapsulation.open(wrapped))
        #expect(envelope.radius == 0)
        #expect(Array(envelope.wirelessNodeID.readableBytesView) == [0x00, 0x13, 0xA2])
        #expect(envelope.message == message)
    }

    @Test("Anything else is not an envelope")
    func notEncapsulated() throws {
        #expect(try MQTTSNForwarderEncapsulation.open(ByteBuffer(bytes: [0x02, 0x16])) == nil)
        #expect(try MQTTSNForwarderEncapsulation.open(ByteBuffer(bytes: [])) == nil)
    }

    @Test(
        "A malformed header is an error",
        arguments: [
            [0x03, 0xFE, 0x00, 0x02, 0x16],  // no node id
            [0x04, 0xFE, 0x04, 0x2A, 0x02, 0x16],  // reserved Ctrl bits
            [0x04, 0xFE, 0x00, 0x2A],  // nothing relayed
            [0x09, 0xFE, 0x00, 0x2A, 0x02, 0x16],  // header longer than the datagram
        ] as [[UInt8]]
    )
    func malformed(_ bytes: [UInt8]) {
        #expect(throws: MQTTSNDecodingError.self) { try MQTTSNForwarderEncapsulation.open(ByteBuffer(bytes: bytes)) }
    }
}
