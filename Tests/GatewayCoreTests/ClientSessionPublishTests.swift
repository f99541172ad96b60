import MQTTSN
import NIOCore
import Testing

@testable import GatewayCore

@Suite("Client session: REGISTER and PUBLISH from the client")
struct ClientSessionPublishTests {
    @Test("REGISTER assigns ids, repeats them for known names, refuses wildcards and beyond the limit")
    func register() {
        var harness = StateMachineHarness.active()
        let table: [(String, UInt16, MQTTSNReturnCode)] = [
            ("a/1", 1, .accepted),
            ("a/2", 2, .accepted),
            ("a/1", 1, .accepted),
            ("a/+", 0, .rejectedInvalidTopicID),
            ("a/3", 3, .accepted),
            ("a/4", 0, .rejectedCongestion),  // limit is 3
        ]
        for (index, (name, id, code)) in table.enumerated() {
            let messageID = UInt16(index + 1)
            let action = harness.machine.registerReceived(
                .init(messageID: messageID, topicName: name),
                now: harness.at(1)
            )
            #expect(
                action == .send(.registerAck(.init(topicID: id, messageID: messageID, returnCode: code))),
                "\(name)"
            )
        }
        #expect(harness.machine.registry.count == 3)
    }

    @Test("QoS 0 and QoS -1 go upstream without acknowledgement, through every topic id type")
    func qos0() {
        var harness = StateMachineHarness.active()
        _ = harness.machine.registerReceived(.init(messageID: 1, topicName: "plain/topic"), now: harness.at(0))
        let table: [(MQTTSNPublish, String)] = [
            (.text("a", qos: .atMostOnce, topicID: 1), "plain/topic"),
            (.text("b", qos: .atMostOnce, topicID: 7, type: .predefined), "predefined/seven"),
            (.text("c", qos: .fireAndForget, topicID: MQTTSNShortTopicName("tt")!.rawValue, type: .shortName), "tt"),
        ]
        for (publish, topic) in table {
            let expected = ClientSessionAction.publishUpstream(
                UpstreamMessage(topic: topic, payload: publish.payload, qos: .atMostOnce, retain: false),
                completion: .none
            )
            #expect(harness.machine.publishReceived(publish, now: harness.at(1)) == expected)
        }
    }

    @Test(
        "Unknown topic ids are answered with PUBACK 0x02, whatever the QoS",
        arguments: [MQTTSNQoS.atMostOnce, .atLeastOnce, .exactlyOnce]
    )
    func unknownTopicID(qos: MQTTSNQoS) {
        var harness = StateMachineHarness.active()
        let action = harness.machine.publishReceived(
            .text("x", qos: qos, topicID: 99, messageID: 5),
            now: harness.at(1)
        )
        #expect(action == .send(.publishAck(.init(topicID: 99, messageID: 5, returnCode: .rejectedInvalidTopicID))))
        let predefined = harness.machine.publishReceived(
            .text("x", qos: qos, topicID: 8, type: .predefined, messageID: 6),
            now: harness.at(1)
        )
        #expect(predefined == .send(.publishAck(.init(topicID: 8, messageID: 6, returnCode: .rejectedInvalidTopicID))))
    }

    @Test("QoS 1: PUBACK only after the broker acknowledged; a DUP while pending is not published again")
    func qos1EndToEnd() {
        var harness = StateMachineHarness.active()
        let publish = MQTTSNPublish.text(
            "v",
            qos: .atLeastOnce,
            topicID: 7,
            type: .predefined,
            messageID: 42,
            retain: true
        )
        let first = harness.machine.publishReceived(publish, now: harness.at(1))
        #expect(
            first
                == .publishUpstream(
                    .text("predefined/seven", "v", qos: .atLeastOnce, retain: true),
                    completion: .publishAck(topicID: 7, messageID: 42)
                )
        )
        var duplicate = publish
        duplicate.dup = true
        #expect(harness.machine.publishReceived(duplicate, now: harness.at(2)) == .dropped(.duplicate))
        let acked = harness.machine.upstreamPublishCompleted(.publishAck(topicID: 7, messageID: 42), succeeded: true)
        #expect(acked == .send(.publishAck(.init(topicID: 7, messageID: 42, returnCode: .accepted))))
        let failed = harness.machine.upstreamPublishCompleted(.publishAck(topicID: 7, messageID: 43), succeeded: false)
        #expect(failed == .send(.publishAck(.init(topicID: 7, messageID: 43, returnCode: .rejectedCongestion))))
    }

    @Test("QoS 2: published once, PUBREC after the broker's PUBCOMP, repeated PUBLISH answered with PUBREC only")
    func qos2ExactlyOnce() {
        var harness = StateMachineHarness.active()
        let publish = MQTTSNPublish.text("once", qos: .exactlyOnce, topicID: 7, type: .predefined, messageID: 9)
        var duplicate = publish
        duplicate.dup = true
        let steps: [(String, () -> ClientSessionAction, ClientSessionAction)] = [
            (
                "first", { harness.machine.publishReceived(publish, now: harness.at(1)) },
                .publishUpstream(
                    .text("predefined/seven", "once", qos: .exactlyOnce),
                    completion: .publishReceived(topicID: 7, messageID: 9)
                )
            ),
            (
                "dup while upstream pending", { harness.machine.publishReceived(duplicate, now: harness.at(2)) },
                .dropped(.duplicate)
            ),
            (
                "broker done",
                {
                    harness.machine.upstreamPublishCompleted(
                        .publishReceived(topicID: 7, messageID: 9),
                        succeeded: true
                    )
                },
                .sendOnceStored(.publishReceived(.init(messageID: 9)))
            ),
            (
                "dup after PUBREC", { harness.machine.publishReceived(duplicate, now: harness.at(3)) },
                .sendOnceStored(.publishReceived(.init(messageID: 9)))
            ),
            (
                "PUBREL", { harness.machine.publishReleaseReceived(.init(messageID: 9), now: harness.at(4)) },
                .send(.publishComplete(.init(messageID: 9)))
            ),
            (
                "repeated PUBREL", { harness.machine.publishReleaseReceived(.init(messageID: 9), now: harness.at(5)) },
                .send(.publishComplete(.init(messageID: 9)))
            ),
        ]
        for (name, step, expected) in steps {
            #expect(step() == expected, "\(name)")
        }
        // After the exchange ended, the message id may be reused for a new message.
        #expect(
            harness.machine.publishReceived(publish, now: harness.at(6))
                != .sendOnceStored(.publishReceived(.init(messageID: 9)))
        )
        #expect(!harness.machine.awaitingRelease.contains(9) || harness.machine.publishingUpstream.contains(9))
    }

    @Test("Rate limit: QoS 1/2 beyond the bucket get PUBACK congestion, QoS 0 is dropped")
    func rateLimit() {
        var settings = StateMachineHarness.settings
        settings.rateLimit = .init(messagesPerSecond: 1, burst: 2)
        var harness = StateMachineHarness.active(settings: settings)
        let qos1 = MQTTSNPublish.text("x", qos: .atLeastOnce, topicID: 7, type: .predefined, messageID: 1)
        let qos0 = MQTTSNPublish.text("x", qos: .atMostOnce, topicID: 7, type: .predefined)
        if case .publishUpstream = harness.machine.publishReceived(qos0, now: harness.at(1)) {
        } else {
            Issue.record("first within burst")
        }
        if case .publishUpstream = harness.machine.publishReceived(qos0, now: harness.at(1)) {
        } else {
            Issue.record("second within burst")
        }
        #expect(harness.machine.publishReceived(qos0, now: harness.at(1)) == .dropped(.rateLimited))
        #expect(
            harness.machine.publishReceived(qos1, now: harness.at(1))
                == .send(.publishAck(.init(topicID: 7, messageID: 1, returnCode: .rejectedCongestion)))
        )
        // One second later one token is back.
        if case .publishUpstream = harness.machine.publishReceived(qos1, now: harness.at(2.01)) {
        } else {
            Issue.record("refilled")
        }
    }

    @Test("A client's own predefined topics take precedence over the global ones")
    func clientPredefinedTopics() {
        let topics = PredefinedTopics(global: [1: "global/one", 2: "global/two"], clientSpecific: [2: "mine/two"])
        #expect(topics.name(for: 1) == "global/one")
        #expect(topics.name(for: 2) == "mine/two")
        #expect(topics.id(for: "mine/two") == 2)
        #expect(topics.id(for: "global/two") == nil)
        #expect(topics.name(for: 3) == nil)
    }
}
