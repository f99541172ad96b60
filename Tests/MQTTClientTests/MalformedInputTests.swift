import NIOCore
import NIOEmbedded
import Testing

@testable import MQTTClient

/// Every decoder path rejects malformed input with its own typed error.
@Suite("Malformed input")
struct MalformedInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let version: MQTTProtocolVersion
        let bytes: [UInt8]
        let error: MQTTDecodingError
        var testDescription: String { "\(name) (\(version))" }
    }

    static let cases: [Case] = [
        Case(name: "packet type 0", version: .v3_1_1, bytes: [0x00, 0x00], error: .invalidPacketType),
        Case(name: "AUTH (type 15)", version: .v5, bytes: [0xF0, 0x00], error: .invalidPacketType),
        Case(
            name: "PUBACK with flags",
            version: .v3_1_1,
            bytes: [0x42, 0x02, 0x00, 0x01],
            error: .invalidFixedHeaderFlags
        ),
        Case(
            name: "PUBREL without its 0010 flags",
            version: .v3_1_1,
            bytes: [0x60, 0x02, 0x00, 0x01],
            error: .invalidFixedHeaderFlags
        ),
        Case(
            name: "SUBSCRIBE with wrong flags",
            version: .v3_1_1,
            bytes: [0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x00],
            error: .invalidFixedHeaderFlags
        ),
        Case(name: "PINGRESP with flags", version: .v5, bytes: [0xD1, 0x00], error: .invalidFixedHeaderFlags),
        Case(
            name: "PUBLISH QoS 3",
            version: .v3_1_1,
            bytes: [0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01],
            error: .invalidQoS
        ),
        Case(
            name: "PUBLISH QoS 0 with DUP",
            version: .v3_1_1,
            bytes: [0x38, 0x03, 0x00, 0x01, 0x61],
            error: .invalidFixedHeaderFlags
        ),
        Case(
            name: "PUBLISH topic longer than the packet",
            version: .v3_1_1,
            bytes: [0x30, 0x03, 0x00, 0x05, 0x61],
            error: .truncatedPacket
        ),
        Case(
            name: "PUBLISH QoS 1 without packet id",
            version: .v3_1_1,
            bytes: [0x32, 0x03, 0x00, 0x01, 0x61],
            error: .truncatedPacket
        ),
        Case(
            name: "PUBLISH QoS 1 with packet id 0",
            version: .v3_1_1,
            bytes: [0x32, 0x05, 0x00, 0x01, 0x61, 0x00, 0x00],
            error: .zeroPacketIdentifier
        ),
        Case(
            name: "PUBLISH topic not UTF-8",
            version: .v3_1_1,
            bytes: [0x30, 0x04, 0x00, 0x02, 0xFF, 0xFE],
            error: .invalidUTF8String
        ),
        Case(
            name: "PUBLISH topic with NUL",
            version: .v3_1_1,
            bytes: [0x30, 0x04, 0x00, 0x02, 0x61, 0x00],
            error: .invalidUTF8String
        ),
        Case(
            name: "PUBLISH properties longer than the packet",
            version: .v5,
            bytes: [0x30, 0x05, 0x00, 0x01, 0x61, 0x09, 0x01],
            error: .truncatedPacket
        ),
        Case(name: "PUBACK too short", version: .v3_1_1, bytes: [0x40, 0x01, 0x00], error: .truncatedPacket),
        Case(
            name: "PUBACK with trailing bytes",
            version: .v3_1_1,
            bytes: [0x40, 0x03, 0x00, 0x01, 0x00],
            error: .trailingBytes
        ),
        Case(
            name: "PUBACK with packet id 0",
            version: .v5,
            bytes: [0x40, 0x02, 0x00, 0x00],
            error: .zeroPacketIdentifier
        ),
        Case(name: "PINGRESP with a body", version: .v3_1_1, bytes: [0xD0, 0x01, 0x00], error: .trailingBytes),
        Case(
            name: "CONNACK with reserved flags",
            version: .v3_1_1,
            bytes: [0x20, 0x02, 0x02, 0x00],
            error: .protocolViolation
        ),
        Case(name: "CONNACK too short", version: .v3_1_1, bytes: [0x20, 0x01, 0x00], error: .truncatedPacket),
        Case(
            name: "CONNACK v5 without properties",
            version: .v5,
            bytes: [0x20, 0x02, 0x00, 0x00],
            error: .truncatedPacket
        ),
        Case(
            name: "CONNACK unknown property",
            version: .v5,
            bytes: [0x20, 0x05, 0x00, 0x00, 0x02, 0x7F, 0x00],
            error: .invalidProperty
        ),
        Case(
            name: "CONNACK truncated property",
            version: .v5,
            bytes: [0x20, 0x05, 0x00, 0x00, 0x02, 0x27, 0x00],
            error: .truncatedPacket
        ),
        Case(
            name: "CONNACK property length with a fifth byte",
            version: .v5,
            bytes: [0x20, 0x07, 0x00, 0x00, 0x80, 0x80, 0x80, 0x80, 0x01],
            error: .remainingLengthTooLong
        ),
        Case(
            name: "SUBACK without codes",
            version: .v3_1_1,
            bytes: [0x90, 0x02, 0x00, 0x01],
            error: .protocolViolation
        ),
        Case(
            name: "SUBACK invalid 3.1.1 code",
            version: .v3_1_1,
            bytes: [0x90, 0x03, 0x00, 0x01, 0x03],
            error: .protocolViolation
        ),
        Case(
            name: "UNSUBSCRIBE without filters",
            version: .v3_1_1,
            bytes: [0xA2, 0x02, 0x00, 0x01],
            error: .protocolViolation
        ),
        Case(
            name: "SUBSCRIBE reserved option bits",
            version: .v5,
            bytes: [0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 0x61, 0xC0],
            error: .protocolViolation
        ),
        Case(
            name: "SUBSCRIBE QoS 3",
            version: .v3_1_1,
            bytes: [0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x03],
            error: .invalidQoS
        ),
        Case(
            name: "CONNECT unknown protocol",
            version: .v3_1_1,
            bytes: [0x10, 0x0D, 0x00, 0x04, 0x4D, 0x51, 0x49, 0x73, 0x04, 0x02, 0x00, 0x3C, 0x00, 0x01, 0x61],
            error: .invalidProtocol
        ),
        Case(
            name: "CONNECT reserved flag",
            version: .v3_1_1,
            bytes: [0x10, 0x0D, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x04, 0x03, 0x00, 0x3C, 0x00, 0x01, 0x61],
            error: .protocolViolation
        ),
    ]

    @Test("is rejected with its typed error", arguments: cases)
    func rejected(_ testCase: Case) {
        var decoder = MQTTPacketDecoder(protocolVersion: testCase.version)
        var buffer = ByteBuffer(bytes: testCase.bytes)
        #expect(throws: testCase.error) { try decoder.decode(buffer: &buffer) }
    }

    @Test("errors carry specific descriptions")
    func descriptions() {
        var decoder = MQTTPacketDecoder(protocolVersion: .v3_1_1, maximumPacketSize: 10)
        var buffer = ByteBuffer(bytes: [0x30, 0x7F])
        do {
            _ = try decoder.decode(buffer: &buffer)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)" == "packet of 129 bytes exceeds the maximum packet size of 10 bytes")
        }
    }

    @Test("the NIO pipeline decoder reports malformed input as an error and decodes what came before")
    func pipelineDecoder() throws {
        let channel = EmbeddedChannel(
            handler: ByteToMessageHandler(MQTTPacketDecoder(protocolVersion: .v3_1_1, maximumPacketSize: 64))
        )
        // A PINGRESP, then a packet claiming 200 bytes.
        #expect(throws: MQTTDecodingError.packetTooLarge) {
            try channel.writeInbound(ByteBuffer(bytes: [0xD0, 0x00, 0x30, 0xC8, 0x01]))
        }
        #expect(try channel.readInbound(as: MQTTPacket.self) == .pingresp)
        _ = try? channel.finish()
    }
}
