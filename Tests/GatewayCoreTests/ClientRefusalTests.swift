import MQTTSN
import NIOCore
import Testing

@testable import GatewayCore

@Suite("Refusals: answers to messages that cannot be used")
struct ClientRefusalTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var bytes: [UInt8]
        var reason: ClientRefusalReason?
        var answer: [UInt8]?
        var description: String { self.name }
    }

    static let limits = MQTTSNDecodingLimits(
        maximumMessageLength: 1024,
        maximumClientIDLength: 8,
        maximumTopicNameLength: 8
    )

    static let cases: [Case] = [
        Case(
            name: "CONNECT without client id",
            bytes: [0x06, 0x04, 0x04, 0x01, 0x00, 0x3C],
            reason: .clientIDEmpty,
            answer: [0x03, 0x05, 0x03]
        ),
        Case(
            name: "CONNECT with a 9-octet id over the limit of 8",
            bytes: [0x0F, 0x04, 0x04, 0x01, 0x00, 0x3C] + Array("123456789".utf8),
            reason: .clientIDTooLong,
            answer: [0x03, 0x05, 0x03]
        ),
        Case(
            name: "CONNECT with the wrong protocol id",
            bytes: [0x07, 0x04, 0x04, 0x02, 0x00, 0x3C, 0x61],
            reason: .connectMalformed,
            answer: [0x03, 0x05, 0x03]
        ),
        Case(
            name: "PINGREQ with an over-long client id",
            bytes: [0x0B, 0x16] + Array("123456789".utf8),
            reason: .pingClientIDInvalid,
            answer: [0x02, 0x18]
        ),
        Case(
            name: "PINGREQ with a client id that is not UTF-8",
            bytes: [0x04, 0x16, 0xC3, 0x28],
            reason: .pingClientIDInvalid,
            answer: [0x02, 0x18]
        ),
        Case(
            name: "SUBSCRIBE QoS 2 with TopicIdType 0b11",
            bytes: [0x07, 0x12, 0x43, 0x12, 0x34, 0x00, 0x01],
            reason: .topicIDTypeReserved,
            answer: [0x08, 0x13, 0x40, 0x00, 0x00, 0x12, 0x34, 0x03]
        ),
        Case(
            name: "SUBSCRIBE with a name over the cap",
            bytes: [0x0E, 0x12, 0x00, 0x00, 0x07] + Array("a/b/c/d/e".utf8),
            reason: .topicNameTooLong,
            answer: [0x08, 0x13, 0x00, 0x00, 0x00, 0x00, 0x07, 0x03]
        ),
        Case(
            name: "SUBSCRIBE at QoS -1",
            bytes: [0x08, 0x12, 0x60, 0x00, 0x07, 0x61, 0x2F, 0x62],
            reason: .subscribeQoSInvalid,
            answer: [0x08, 0x13, 0x00, 0x00, 0x00, 0x00, 0x07, 0x03]
        ),
        Case(
            name: "UNSUBSCRIBE with TopicIdType 0b11",
            bytes: [0x07, 0x14, 0x03, 0x00, 0x09, 0x00, 0x01],
            reason: .topicIDTypeReserved,
            answer: [0x04, 0x15, 0x00, 0x09]
        ),
        Case(
            name: "REGISTER with a name over the cap",
            bytes: [0x0F, 0x0A, 0x00, 0x00, 0x00, 0x05] + Array("a/b/c/d/e".utf8),
            reason: .topicNameTooLong,
            answer: [0x07, 0x0B, 0x00, 0x00, 0x00, 0x05, 0x03]
        ),
        Case(
            name: "REGISTER with a name that is not UTF-8",
            bytes: [0x08, 0x0A, 0x00, 0x00, 0x00, 0x05, 0xC3, 0x28],
            reason: .topicNameInvalid,
            answer: [0x07, 0x0B, 0x00, 0x00, 0x00, 0x05, 0x03]
        ),
        Case(
            name: "WILLTOPIC with a name over the cap",
            bytes: [0x0C, 0x07, 0x20] + Array("a/b/c/d/e".utf8),
            reason: .willTopicTooLong,
            answer: [0x03, 0x05, 0x03]
        ),
        Case(
            name: "WILLTOPIC at QoS -1",
            bytes: [0x06, 0x07, 0x60, 0x61, 0x2F, 0x62],
            reason: .willTopicInvalid,
            answer: [0x03, 0x05, 0x03]
        ),
        Case(
            name: "WILLTOPICUPD with a name over the cap",
            bytes: [0x0C, 0x1A, 0x20] + Array("a/b/c/d/e".utf8),
            reason: .willTopicTooLong,
            answer: [0x03, 0x1B, 0x03]
        ),
        Case(name: "REGISTER cut before its message id", bytes: [0x04, 0x0A, 0x00, 0x00], reason: nil, answer: nil),
        Case(
            name: "SUBACK from a client",
            bytes: [0x07, 0x13, 0x00, 0x00, 0x00, 0x00, 0x01],
            reason: nil,
            answer: nil
        ),
        Case(name: "An unknown message type", bytes: [0x03, 0x03, 0x00], reason: nil, answer: nil),
    ]

    @Test("An undecodable message gets the answer its type and message id call for", arguments: cases)
    func undecodable(_ testCase: Case) throws {
        var buffer = ByteBuffer(bytes: testCase.bytes)
        let error = try #require(throws: MQTTSNDecodingError.self) {
            try MQTTSNPacket.decode(from: &buffer, limits: Self.limits)
        }
        let refusal = MQTTSNMessageHeader(peeking: ByteBuffer(bytes: testCase.bytes)).flatMap {
            ClientRefusal(undecodable: $0, error: error)
        }
        #expect(refusal?.reason == testCase.reason)
        var encoded = ByteBuffer()
        if let refusal {
            try refusal.answer.encode(into: &encoded)
        }
        #expect(refusal.map { _ in Array(encoded.readableBytesView) } == testCase.answer)
    }

    static let willTopic = MQTTSNWill(qos: .atMostOnce, retain: false, topicName: "w/status")

    /// A session waiting for WILLTOPIC, or with `awaitingWillMessage` for WILLMSG.
    static func inWillExchange(awaitingWillMessage: Bool) -> StateMachineHarness {
        var harness = StateMachineHarness(connect: MQTTSNConnect(will: true, duration: 5, clientID: "w"))
        _ = harness.machine.start()
        if awaitingWillMessage {
            _ = harness.machine.willTopicReceived(
                .init(will: Self.willTopic),
                now: harness.at(0)
            )
        }
        return harness
    }

    static let outOfOrder = ClientSessionAction.refuse(
        ClientRefusal(.willHandshakeOutOfOrder, answer: .disconnect(MQTTSNDisconnect())),
        endsSession: true
    )

    @Test(
        "Session traffic during the will exchange ends it with DISCONNECT",
        arguments: [
            (false, MQTTSNMessageType.register, true),
            (false, .publish, true),
            (false, .willMessage, true),
            (false, .subscribe, true),
            (false, .pingRequest, true),
            (false, .willTopic, false),
            (false, .disconnect, false),
            (true, .register, true),
            (true, .publish, true),
            (true, .willMessage, false),
            (true, .willTopic, false),
            (true, .subscribeAck, false),
        ]
    )
    func outOfOrderDuringWillExchange(awaitingWillMessage: Bool, type: MQTTSNMessageType, refused: Bool) {
        var harness = Self.inWillExchange(awaitingWillMessage: awaitingWillMessage)
        let state: ClientSessionStateMachine.State =
            awaitingWillMessage ? .awaitingWillMessage(Self.willTopic) : .awaitingWillTopic
        #expect(harness.machine.state == state)
        let action = harness.machine.refuseOutOfOrder(type, now: harness.at(1))
        #expect(action == (refused ? Self.outOfOrder : nil))
        #expect(harness.machine.state == (refused ? .closed : state))
    }

    @Test("Outside the will exchange nothing is refused for its order")
    func establishedSessionIsNotChecked() {
        var harness = StateMachineHarness.active()
        #expect(harness.machine.refuseOutOfOrder(.register, now: harness.at(1)) == nil)
        #expect(harness.machine.refuseOutOfOrder(.willMessage, now: harness.at(1)) == nil)
    }

    @Test("A WILLTOPIC with wildcards is refused with CONNACK 0x03 instead of connecting without the will")
    func wildcardWillTopic() {
        var harness = Self.inWillExchange(awaitingWillMessage: false)
        let action = harness.machine.willTopicReceived(
            .init(will: .init(qos: .atMostOnce, retain: false, topicName: "w/+/status")),
            now: harness.at(1)
        )
        #expect(
            action
                == .refuse(
                    ClientRefusal(.willTopicInvalid, answer: ClientRefusal.connectNotSupported),
                    endsSession: true
                )
        )
        #expect(harness.machine.state == .closed)
    }

    @Test("A repeated WILLTOPIC while WILLMSG is due replaces the first and asks for WILLMSG again")
    func repeatedWillTopic() {
        var harness = Self.inWillExchange(awaitingWillMessage: true)
        let action = harness.machine.willTopicReceived(
            .init(will: .init(qos: .atLeastOnce, retain: true, topicName: "w/again")),
            now: harness.at(1)
        )
        #expect(action == .send(.willMessageRequest(.init())))
        _ = harness.machine.willMessageReceived(.init(message: ByteBuffer(string: "gone")), now: harness.at(2))
        #expect(harness.machine.will == .text("w/again", "gone", qos: .atLeastOnce, retain: true))
    }
}
