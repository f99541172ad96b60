import MQTTSN
import NIOCore
import Testing

@Suite("Malformed input answers with a typed error")
struct MQTTSNMalformedInputTests {
    struct MalformedCase: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var error: MQTTSNDecodingError
        var testDescription: String { self.name }

        init(_ name: String, _ bytes: [UInt8], _ error: MQTTSNDecodingError) {
            self.name = name
            self.bytes = bytes
            self.error = error
        }
    }

    static let cases: [MalformedCase] = [
        // Header
        MalformedCase("empty datagram", [], .truncated),
        MalformedCase("long form marker alone", [0x01], .truncated),
        MalformedCase("long form missing a length octet", [0x01, 0x00], .truncated),
        MalformedCase("length zero", [0x00, 0x17], .lengthTooSmall(declared: 0)),
        MalformedCase("long form length below its header", [0x01, 0x00, 0x03, 0x17], .lengthTooSmall(declared: 3)),
        MalformedCase("long form length zero", [0x01, 0x00, 0x00], .lengthTooSmall(declared: 0)),
        MalformedCase("length without message type", [0x02], .lengthMismatch(declared: 2, available: 1)),
        MalformedCase("length longer than datagram", [0x03, 0x17], .lengthMismatch(declared: 3, available: 2)),
        MalformedCase("length shorter than datagram", [0x02, 0x17, 0x00], .lengthMismatch(declared: 2, available: 3)),
        MalformedCase(
            "long form longer than datagram",
            [0x01, 0x01, 0x00, 0x0C],
            .lengthMismatch(declared: 256, available: 4)
        ),
        MalformedCase("reserved type 0x03", [0x02, 0x03], .unknownMessageType(0x03)),
        MalformedCase("reserved type 0x11", [0x02, 0x11], .unknownMessageType(0x11)),
        MalformedCase("reserved type 0x19", [0x02, 0x19], .unknownMessageType(0x19)),
        MalformedCase("reserved type 0x1E", [0x02, 0x1E], .unknownMessageType(0x1E)),
        MalformedCase("reserved type 0xFF", [0x02, 0xFF], .unknownMessageType(0xFF)),
        // ADVERTISE, SEARCHGW, GWINFO
        MalformedCase("ADVERTISE without duration", [0x03, 0x00, 0x05], .truncated),
        MalformedCase("ADVERTISE half a duration", [0x04, 0x00, 0x05, 0x03], .truncated),
        MalformedCase("ADVERTISE trailing octet", [0x06, 0x00, 0x05, 0x03, 0x84, 0x00], .trailingBytes(count: 1)),
        MalformedCase("SEARCHGW without radius", [0x02, 0x01], .truncated),
        MalformedCase("SEARCHGW trailing octet", [0x04, 0x01, 0x01, 0x01], .trailingBytes(count: 1)),
        MalformedCase("GWINFO without gateway id", [0x02, 0x02], .truncated),
        // CONNECT, CONNACK
        MalformedCase("CONNECT without flags", [0x02, 0x04], .truncated),
        MalformedCase("CONNECT without duration", [0x04, 0x04, 0x04, 0x01], .truncated),
        MalformedCase(
            "CONNECT protocol id 0x02",
            [0x07, 0x04, 0x04, 0x02, 0x00, 0x3C, 0x61],
            .invalidProtocolID(0x02)
        ),
        MalformedCase(
            "CONNECT protocol id 0x00",
            [0x07, 0x04, 0x04, 0x00, 0x00, 0x3C, 0x61],
            .invalidProtocolID(0x00)
        ),
        MalformedCase("CONNECT empty client id", [0x06, 0x04, 0x04, 0x01, 0x00, 0x3C], .emptyClientID),
        MalformedCase("CONNECT client id invalid UTF-8", [0x07, 0x04, 0x04, 0x01, 0x00, 0x3C, 0xFF], .invalidUTF8),
        MalformedCase(
            "CONNECT client id overlong UTF-8",
            [0x08, 0x04, 0x04, 0x01, 0x00, 0x3C, 0xC0, 0xAF],
            .invalidUTF8
        ),
        MalformedCase("CONNACK without return code", [0x02, 0x05], .truncated),
        MalformedCase("CONNACK trailing octet", [0x04, 0x05, 0x00, 0x00], .trailingBytes(count: 1)),
        // Will messages
        MalformedCase("WILLTOPICREQ trailing octet", [0x03, 0x06, 0x00], .trailingBytes(count: 1)),
        MalformedCase("WILLTOPIC flags without topic", [0x03, 0x07, 0x20], .emptyTopicName),
        MalformedCase("WILLTOPIC QoS -1", [0x04, 0x07, 0x60, 0x61], .invalidQoS(.fireAndForget)),
        MalformedCase("WILLTOPIC cut UTF-8 sequence", [0x04, 0x07, 0x20, 0xC3], .invalidUTF8),
        MalformedCase("WILLMSGREQ trailing octet", [0x03, 0x08, 0x00], .trailingBytes(count: 1)),
        MalformedCase("WILLTOPICUPD flags without topic", [0x03, 0x1A, 0x00], .emptyTopicName),
        MalformedCase("WILLTOPICUPD QoS -1", [0x04, 0x1A, 0x70, 0x61], .invalidQoS(.fireAndForget)),
        MalformedCase("WILLTOPICUPD surrogate in UTF-8", [0x06, 0x1A, 0x00, 0xED, 0xA0, 0x80], .invalidUTF8),
        MalformedCase("WILLTOPICRESP without return code", [0x02, 0x1B], .truncated),
        MalformedCase("WILLTOPICRESP trailing octet", [0x04, 0x1B, 0x00, 0x01], .trailingBytes(count: 1)),
        MalformedCase("WILLMSGRESP without return code", [0x02, 0x1D], .truncated),
        MalformedCase("WILLMSGRESP trailing octet", [0x04, 0x1D, 0x00, 0x01], .trailingBytes(count: 1)),
        // REGISTER, REGACK
        MalformedCase("REGISTER without message id", [0x04, 0x0A, 0x00, 0x00], .truncated),
        MalformedCase("REGISTER without topic name", [0x06, 0x0A, 0x00, 0x00, 0x00, 0x01], .emptyTopicName),
        MalformedCase("REGISTER topic name invalid UTF-8", [0x07, 0x0A, 0x00, 0x00, 0x00, 0x01, 0x80], .invalidUTF8),
        MalformedCase("REGACK without return code", [0x06, 0x0B, 0x00, 0x01, 0x00, 0x01], .truncated),
        MalformedCase(
            "REGACK trailing octet",
            [0x08, 0x0B, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00],
            .trailingBytes(count: 1)
        ),
        // PUBLISH and its acknowledgements
        MalformedCase("PUBLISH without flags", [0x02, 0x0C], .truncated),
        MalformedCase("PUBLISH without message id", [0x05, 0x0C, 0x20, 0x00, 0x01], .truncated),
        MalformedCase(
            "PUBLISH reserved topic id type",
            [0x07, 0x0C, 0x23, 0x00, 0x01, 0x00, 0x01],
            .reservedTopicIDType
        ),
        MalformedCase("PUBACK without return code", [0x06, 0x0D, 0x00, 0x01, 0x00, 0x01], .truncated),
        MalformedCase(
            "PUBACK trailing octets",
            [0x09, 0x0D, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00],
            .trailingBytes(count: 2)
        ),
        MalformedCase("PUBCOMP half a message id", [0x03, 0x0E, 0x00], .truncated),
        MalformedCase("PUBCOMP trailing octet", [0x05, 0x0E, 0x00, 0x01, 0x00], .trailingBytes(count: 1)),
        MalformedCase("PUBREC without message id", [0x02, 0x0F], .truncated),
        MalformedCase("PUBREC trailing octet", [0x05, 0x0F, 0x00, 0x01, 0x00], .trailingBytes(count: 1)),
        MalformedCase("PUBREL half a message id", [0x03, 0x10, 0x00], .truncated),
        MalformedCase("PUBREL trailing octet", [0x05, 0x10, 0x00, 0x01, 0x00], .trailingBytes(count: 1)),
        // SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK
        MalformedCase("SUBSCRIBE without message id", [0x03, 0x12, 0x20], .truncated),
        MalformedCase("SUBSCRIBE QoS -1", [0x07, 0x12, 0x61, 0x00, 0x01, 0x01, 0x02], .invalidQoS(.fireAndForget)),
        MalformedCase(
            "SUBSCRIBE reserved topic id type",
            [0x07, 0x12, 0x23, 0x00, 0x01, 0x01, 0x02],
            .reservedTopicIDType
        ),
        MalformedCase("SUBSCRIBE empty topic name", [0x05, 0x12, 0x20, 0x00, 0x01], .emptyTopicName),
        MalformedCase("SUBSCRIBE topic name invalid UTF-8", [0x06, 0x12, 0x20, 0x00, 0x01, 0xFE], .invalidUTF8),
        MalformedCase("SUBSCRIBE half a predefined id", [0x06, 0x12, 0x01, 0x00, 0x01, 0x01], .truncated),
        MalformedCase(
            "SUBSCRIBE predefined id trailing octet",
            [0x08, 0x12, 0x01, 0x00, 0x01, 0x01, 0x02, 0x03],
            .trailingBytes(count: 1)
        ),
        MalformedCase(
            "SUBSCRIBE short name of three octets",
            [0x08, 0x12, 0x02, 0x00, 0x01, 0x61, 0x62, 0x63],
            .trailingBytes(count: 1)
        ),
        MalformedCase("SUBSCRIBE short name of one octet", [0x06, 0x12, 0x02, 0x00, 0x01, 0x61], .truncated),
        MalformedCase("SUBACK QoS -1", [0x08, 0x13, 0x60, 0x00, 0x01, 0x00, 0x01, 0x00], .invalidQoS(.fireAndForget)),
        MalformedCase("SUBACK without return code", [0x07, 0x13, 0x20, 0x00, 0x01, 0x00, 0x01], .truncated),
        MalformedCase(
            "SUBACK trailing octet",
            [0x09, 0x13, 0x20, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00],
            .trailingBytes(count: 1)
        ),
        MalformedCase("UNSUBSCRIBE without message id", [0x04, 0x14, 0x00, 0x00], .truncated),
        MalformedCase(
            "UNSUBSCRIBE reserved topic id type",
            [0x07, 0x14, 0x03, 0x00, 0x01, 0x01, 0x02],
            .reservedTopicIDType
        ),
        MalformedCase("UNSUBSCRIBE empty topic name", [0x05, 0x14, 0x00, 0x00, 0x01], .emptyTopicName),
        MalformedCase(
            "UNSUBSCRIBE short name trailing octet",
            [0x08, 0x14, 0x02, 0x00, 0x01, 0x61, 0x62, 0x63],
            .trailingBytes(count: 1)
        ),
        MalformedCase("UNSUBACK half a message id", [0x03, 0x15, 0x00], .truncated),
        MalformedCase("UNSUBACK trailing octet", [0x05, 0x15, 0x00, 0x01, 0x00], .trailingBytes(count: 1)),
        // PINGREQ, PINGRESP, DISCONNECT
        MalformedCase("PINGREQ client id invalid UTF-8", [0x03, 0x16, 0xFF], .invalidUTF8),
        MalformedCase("PINGRESP trailing octet", [0x03, 0x17, 0x00], .trailingBytes(count: 1)),
        MalformedCase("DISCONNECT half a duration", [0x03, 0x18, 0x0E], .truncated),
        MalformedCase("DISCONNECT trailing octet", [0x05, 0x18, 0x00, 0x01, 0x02], .trailingBytes(count: 1)),
        // Forwarder encapsulation
        MalformedCase("encapsulation without ctrl", [0x02, 0xFE, 0x02, 0x17], .truncated),
        MalformedCase("encapsulation without message", [0x03, 0xFE, 0x00], .truncated),
        MalformedCase(
            "encapsulation header longer than datagram",
            [0x09, 0xFE, 0x00],
            .lengthMismatch(declared: 9, available: 3)
        ),
        MalformedCase("encapsulation reserved ctrl bits", [0x03, 0xFE, 0x04, 0x02, 0x17], .reservedFlags(0x04)),
        MalformedCase(
            "encapsulation in encapsulation",
            [0x03, 0xFE, 0x00, 0x03, 0xFE, 0x00, 0x02, 0x17],
            .nestedForwarderEncapsulation
        ),
        MalformedCase(
            "encapsulated message shorter than declared",
            [0x03, 0xFE, 0x00, 0x03, 0x17],
            .lengthMismatch(declared: 3, available: 2)
        ),
        MalformedCase(
            "encapsulated message longer than declared",
            [0x03, 0xFE, 0x00, 0x02, 0x17, 0x00],
            .lengthMismatch(declared: 2, available: 3)
        ),
        MalformedCase("encapsulated message malformed", [0x03, 0xFE, 0x00, 0x02, 0x05], .truncated),
        MalformedCase(
            "encapsulated message of unknown type",
            [0x03, 0xFE, 0x00, 0x02, 0x03],
            .unknownMessageType(0x03)
        ),
        MalformedCase("encapsulated message without length", [0x03, 0xFE, 0x00, 0x01], .truncated),
    ]

    @Test("decode throws the specific error and leaves the buffer untouched", arguments: cases)
    func malformed(_ malformedCase: MalformedCase) {
        var buffer = ByteBuffer(bytes: malformedCase.bytes)
        let before = buffer
        #expect(throws: malformedCase.error) {
            try MQTTSNPacket.decode(from: &buffer)
        }
        #expect(buffer == before)
        #expect(buffer.readerIndex == before.readerIndex)
    }

    @Test("a datagram above the message limit is rejected before it is parsed")
    func messageTooLarge() {
        let bytes = [UInt8](repeating: 0x00, count: 1025)
        #expect(throws: MQTTSNDecodingError.messageTooLarge(length: 1025, limit: 1024)) {
            try MQTTSNPacket.decode(bytes)
        }
        let limits = MQTTSNDecodingLimits(maximumMessageLength: 8)
        // A well-formed PUBLISH of 11 octets.
        #expect(throws: MQTTSNDecodingError.messageTooLarge(length: 11, limit: 8)) {
            try MQTTSNPacket.decode(
                packetVectors.first { $0.name == "PUBLISH QoS 1 normal topic id" }!.bytes,
                limits: limits
            )
        }
    }

    @Test("client id length limit applies to CONNECT and PINGREQ")
    func clientIDTooLong() throws {
        let id24 = [UInt8](repeating: 0x61, count: 24)
        let connect: [UInt8] = [30, 0x04, 0x04, 0x01, 0x00, 0x3C] + id24
        let ping: [UInt8] = [26, 0x16] + id24
        #expect(throws: MQTTSNDecodingError.clientIDTooLong(length: 24, limit: 23)) {
            try MQTTSNPacket.decode(connect, limits: .strict)
        }
        #expect(throws: MQTTSNDecodingError.clientIDTooLong(length: 24, limit: 23)) {
            try MQTTSNPacket.decode(ping, limits: .strict)
        }
        // The same ids pass the default limit of 64.
        #expect(try MQTTSNPacket.decode(connect).messageType == .connect)
        #expect(
            try MQTTSNPacket.decode(ping)
                == .pingRequest(MQTTSNPingRequest(clientID: String(repeating: "a", count: 24)))
        )
    }

    @Test("topic name length limit applies to every message carrying a topic name")
    func topicNameTooLong() {
        let limits = MQTTSNDecodingLimits(maximumTopicNameLength: 2)
        let name: [UInt8] = [0x61, 0x2F, 0x62]
        let messages: [[UInt8]] = [
            [0x09, 0x0A, 0x00, 0x00, 0x00, 0x01] + name,  // REGISTER
            [0x08, 0x12, 0x00, 0x00, 0x01] + name,  // SUBSCRIBE
            [0x08, 0x14, 0x00, 0x00, 0x01] + name,  // UNSUBSCRIBE
            [0x06, 0x07, 0x00] + name,  // WILLTOPIC
            [0x06, 0x1A, 0x00] + name,  // WILLTOPICUPD
        ]
        for message in messages {
            #expect(throws: MQTTSNDecodingError.topicNameTooLong(length: 3, limit: 2)) {
                try MQTTSNPacket.decode(message, limits: limits)
            }
            #expect(throws: Never.self) { try MQTTSNPacket.decode(message) }
        }
    }

    @Test("errors describe what was wrong")
    func descriptions() {
        #expect(MQTTSNDecodingError.lengthMismatch(declared: 9, available: 3).description.contains("9"))
        #expect(MQTTSNDecodingError.unknownMessageType(0x1E).description.contains("0x1E"))
        #expect(MQTTSNDecodingError.invalidProtocolID(0x02).description.contains("0x2"))
        #expect(MQTTSNDecodingError.truncated != MQTTSNDecodingError.emptyTopicName)
        #expect(MQTTSNDecodingError.messageTooLarge(length: 5, limit: 4) != .messageTooLarge(length: 6, limit: 4))
    }
}
