import MQTTSN
import NIOCore
import Testing

@testable import GatewayCore

@Suite("Client session: SUBSCRIBE and UNSUBSCRIBE")
struct ClientSessionSubscriptionTests {
    @Test("SUBSCRIBE by name, wildcard, predefined id and short name")
    func subscribe() {
        var harness = StateMachineHarness.active()
        let table: [(MQTTSNTopic, ClientSessionAction)] = [
            (
                .name("room/1/temp"),
                .subscribeUpstream(topicFilter: "room/1/temp", qos: .atLeastOnce, messageID: 1, topicID: 1)
            ),
            (
                .name("room/+/temp"),
                .subscribeUpstream(topicFilter: "room/+/temp", qos: .atLeastOnce, messageID: 2, topicID: 0)
            ),
            (
                .predefined(7),
                .subscribeUpstream(topicFilter: "predefined/seven", qos: .atLeastOnce, messageID: 3, topicID: 7)
            ),
            (
                .shortName(MQTTSNShortTopicName("ab")!),
                .subscribeUpstream(topicFilter: "ab", qos: .atLeastOnce, messageID: 4, topicID: 0)
            ),
            (
                .predefined(8),
                .send(
                    .subscribeAck(
                        .init(qos: .atMostOnce, topicID: 0, messageID: 5, returnCode: .rejectedInvalidTopicID)
                    )
                )
            ),
            (
                .name("a/#/b"),
                .send(
                    .subscribeAck(
                        .init(qos: .atMostOnce, topicID: 0, messageID: 6, returnCode: .rejectedInvalidTopicID)
                    )
                )
            ),
        ]
        for (index, (topic, expected)) in table.enumerated() {
            let subscribe = MQTTSNSubscribe(qos: .atLeastOnce, messageID: UInt16(index + 1), topic: topic)
            #expect(harness.machine.subscribeReceived(subscribe, now: harness.at(1)) == expected, "\(topic)")
        }
        #expect(
            harness.machine.subscribeCompleted(topicFilter: "a/b", messageID: 1, topicID: 1, grantedQoS: .atLeastOnce)
                == .send(.subscribeAck(.init(qos: .atLeastOnce, topicID: 1, messageID: 1, returnCode: .accepted)))
        )
        #expect(
            harness.machine.subscribeCompleted(topicFilter: "a/+", messageID: 2, topicID: 0, grantedQoS: nil)
                == .send(
                    .subscribeAck(.init(qos: .atMostOnce, topicID: 0, messageID: 2, returnCode: .rejectedNotSupported))
                )
        )
    }

    @Test("UNSUBSCRIBE goes upstream; an unknown predefined id is acknowledged at once")
    func unsubscribe() {
        var harness = StateMachineHarness.active()
        #expect(
            harness.machine.unsubscribeReceived(.init(messageID: 1, topic: .name("a/#")), now: harness.at(1))
                == .unsubscribeUpstream(topicFilter: "a/#", messageID: 1)
        )
        #expect(
            harness.machine.unsubscribeReceived(.init(messageID: 2, topic: .predefined(99)), now: harness.at(1))
                == .send(.unsubscribeAck(.init(messageID: 2)))
        )
    }

    @Test(
        "Topic filter validation",
        arguments: [
            ("a/b", true), ("a/+/b", true), ("#", true), ("a/#", true), ("+", true),
            ("a/#/b", false), ("a/b#", false), ("a+/b", false), ("", false),
        ]
    )
    func topicFilters(filter: String, valid: Bool) {
        #expect(ClientSessionStateMachine.isValidTopicFilter(filter) == valid)
    }
}
