import MQTTSN
import NIOCore
import Testing

@Suite("Flags octet")
struct MQTTSNFlagsTests {
    struct PublishFlagsCase: Sendable, CustomTestStringConvertible {
        var octet: UInt8
        var dup: Bool
        var qos: MQTTSNQoS
        var retain: Bool
        var topicIDType: MQTTSNTopicIDType
        var testDescription: String { "0x" + String(self.octet, radix: 16) }
    }

    // Written bit by bit from the flags layout: DUP 0x80, QoS << 5, Retain 0x10, TopicIdType in bits 1-0.
    static let publishCases: [PublishFlagsCase] = [
        PublishFlagsCase(octet: 0x00, dup: false, qos: .atMostOnce, retain: false, topicIDType: .normal),
        PublishFlagsCase(octet: 0x20, dup: false, qos: .atLeastOnce, retain: false, topicIDType: .normal),
        PublishFlagsCase(octet: 0x40, dup: false, qos: .exactlyOnce, retain: false, topicIDType: .normal),
        PublishFlagsCase(octet: 0x61, dup: false, qos: .fireAndForget, retain: false, topicIDType: .predefined),
        PublishFlagsCase(octet: 0x62, dup: false, qos: .fireAndForget, retain: false, topicIDType: .shortName),
        PublishFlagsCase(octet: 0x80, dup: true, qos: .atMostOnce, retain: false, topicIDType: .normal),
        PublishFlagsCase(octet: 0xB0, dup: true, qos: .atLeastOnce, retain: true, topicIDType: .normal),
        PublishFlagsCase(octet: 0xD2, dup: true, qos: .exactlyOnce, retain: true, topicIDType: .shortName),
        PublishFlagsCase(octet: 0x11, dup: false, qos: .atMostOnce, retain: true, topicIDType: .predefined),
        PublishFlagsCase(octet: 0xF1, dup: true, qos: .fireAndForget, retain: true, topicIDType: .predefined),
    ]

    @Test("PUBLISH flags decode to their fields and encode back", arguments: publishCases)
    func publishFlags(_ flagsCase: PublishFlagsCase) throws {
        // Length, MsgType, Flags, TopicId 0x0001, MsgId 0x0009, Data 0x7A
        let bytes: [UInt8] = [0x08, 0x0C, flagsCase.octet, 0x00, 0x01, 0x00, 0x09, 0x7A]
        let expected = MQTTSNPacket.publish(
            MQTTSNPublish(
                dup: flagsCase.dup,
                qos: flagsCase.qos,
                retain: flagsCase.retain,
                topicIDType: flagsCase.topicIDType,
                topicID: 1,
                messageID: 9,
                payload: ByteBuffer(bytes: [0x7A])
            )
        )
        #expect(try MQTTSNPacket.decode(bytes) == expected)
        #expect(try expected.encodedBytes() == bytes)
    }

    @Test("every PUBLISH flags octet either decodes or is a reserved topic id type")
    func everyPublishFlagsOctet() throws {
        for octet in UInt8.min...UInt8.max {
            let bytes: [UInt8] = [0x07, 0x0C, octet, 0x00, 0x01, 0x00, 0x02]
            if octet & 0b11 == 0b11 {
                #expect(throws: MQTTSNDecodingError.reservedTopicIDType) { try MQTTSNPacket.decode(bytes) }
                continue
            }
            let packet = try MQTTSNPacket.decode(bytes)
            // Will (bit 3) and CleanSession (bit 2) are not relevant to PUBLISH: dropped, everything else kept.
            var reencoded = bytes
            reencoded[2] = octet & 0b1111_0011
            #expect(try packet.encodedBytes() == reencoded)
        }
    }

    @Test("CONNECT ignores the flags not relevant to it")
    func connectIgnoresIrrelevantFlags() throws {
        // Length, MsgType, Flags DUP|QoS -1|Retain|Will|TopicIdType 0b11, ProtocolId, Duration 10, ClientId "x"
        let packet = try MQTTSNPacket.decode([0x07, 0x04, 0xFB, 0x01, 0x00, 0x0A, 0x78])
        #expect(packet == .connect(MQTTSNConnect(will: true, cleanSession: false, duration: 10, clientID: "x")))
        #expect(try packet.encodedBytes() == [0x07, 0x04, 0x08, 0x01, 0x00, 0x0A, 0x78])
    }

    @Test("SUBACK reads only the granted QoS")
    func subscribeAckIgnoresIrrelevantFlags() throws {
        // Length, MsgType, Flags DUP|QoS 2|Retain|TopicIdType 0b11, TopicId 1, MsgId 2, ReturnCode accepted
        let packet = try MQTTSNPacket.decode([0x08, 0x13, 0xD3, 0x00, 0x01, 0x00, 0x02, 0x00])
        #expect(
            packet
                == .subscribeAck(MQTTSNSubscribeAck(qos: .exactlyOnce, topicID: 1, messageID: 2, returnCode: .accepted))
        )
    }

    @Test("the bit view reads and writes each field independently")
    func bitView() {
        var flags = MQTTSNFlags(rawValue: 0)
        flags.qos = .fireAndForget
        #expect(flags.rawValue == 0x60)
        flags.dup = true
        flags.will = true
        #expect(flags.rawValue == 0xE8)
        flags.qos = .atLeastOnce
        #expect(flags.rawValue == 0xA8)
        flags.cleanSession = true
        flags.retain = true
        #expect(flags.rawValue == 0xBC)
        flags.topicIDType = .shortName
        #expect(flags.rawValue == 0xBE)
        flags.topicIDType = nil
        #expect(flags.rawValue == 0xBF)
        #expect(flags.topicIDType == nil)
        flags.will = false
        flags.dup = false
        #expect(flags.rawValue == 0x37)
        #expect(
            MQTTSNFlags(
                dup: true,
                qos: .exactlyOnce,
                retain: true,
                will: true,
                cleanSession: true,
                topicIDType: .predefined
            ).rawValue == 0xDD
        )
    }

    @Test("QoS bits and levels")
    func qosBits() {
        #expect(MQTTSNQoS.allCases.map(\.flagBits) == [0b00, 0b01, 0b10, 0b11])
        #expect(MQTTSNQoS.allCases.map(\.level) == [0, 1, 2, -1])
        #expect(MQTTSNQoS.allCases.map { MQTTSNQoS(flagBits: $0.flagBits) } == MQTTSNQoS.allCases)
    }

    @Test("return codes name the known values and keep unknown ones")
    func returnCodes() {
        #expect(MQTTSNReturnCode.rejectedInvalidTopicID.rawValue == 0x02)
        #expect(MQTTSNReturnCode.rejectedNotSupported.isKnown)
        #expect(!MQTTSNReturnCode(rawValue: 0x04).isKnown)
        #expect(MQTTSNReturnCode(rawValue: 0x04).description.contains("0x4"))
    }

    @Test("short topic names are exactly two octets")
    func shortTopicNames() {
        #expect(MQTTSNShortTopicName("tt")?.rawValue == 0x7474)
        #expect(MQTTSNShortTopicName("t") == nil)
        #expect(MQTTSNShortTopicName("ttt") == nil)
        #expect(MQTTSNShortTopicName("é")?.rawValue == 0xC3A9)
        #expect(MQTTSNShortTopicName(rawValue: 0x6162).name == "ab")
        #expect(MQTTSNShortTopicName(rawValue: 0xFFFF).name == nil)
    }
}
