import Foundation
import MQTTSN
import NIOCore
import Testing

@testable import GatewayCore

/// Every event in every state of ``ClientSessionStateMachine``: the action it returns and the state it leaves.
@Suite("Client session state table")
struct ClientSessionStateTableTests {
    enum Start: String, CaseIterable {
        case awaitingWillTopic, awaitingWillMessage, connectingUpstream, active, asleep, awake, disconnected, closed
    }

    enum Event: String, CaseIterable {
        case willTopic, willMessage, upstreamConnected, upstreamConnectFailed, upstreamLost, publishQoS1, register
        case publishRelease, subscribe, unsubscribe, pingRequest, disconnect, disconnectSleep, willTopicUpdate
        case willMessageUpdate, tickLate, nextDelivery
    }

    static let will = MQTTSNWill(qos: .atLeastOnce, topicName: "w/t")

    /// A machine in `start`, built only through events.
    static func machine(in start: Start) -> StateMachineHarness {
        var harness = StateMachineHarness(
            connect: MQTTSNConnect(
                will: start == .awaitingWillTopic || start == .awaitingWillMessage,
                cleanSession: start != .disconnected,
                duration: 10,
                clientID: "sensor-1"
            )
        )
        _ = harness.machine.start()
        switch start {
        case .awaitingWillTopic, .connectingUpstream:
            break
        case .awaitingWillMessage:
            _ = harness.machine.willTopicReceived(MQTTSNWillTopic(will: Self.will), now: harness.at(0))
        case .active, .asleep, .awake, .disconnected, .closed:
            _ = harness.machine.upstreamConnected(now: harness.at(0))
            if start == .asleep || start == .awake {
                _ = harness.machine.disconnectReceived(.init(duration: 30), now: harness.at(0))
            }
            if start == .awake {
                _ = harness.machine.pingRequestReceived(.init(clientID: "sensor-1"), now: harness.at(0))
            }
            if start == .closed || start == .disconnected {
                _ = harness.machine.disconnectReceived(.init(), now: harness.at(0))
            }
        }
        return harness
    }

    static func apply(_ event: Event, to harness: inout StateMachineHarness) -> ClientSessionAction {
        let now = harness.at(1)
        switch event {
        case .willTopic: return harness.machine.willTopicReceived(MQTTSNWillTopic(will: Self.will), now: now)
        case .willMessage:
            return harness.machine.willMessageReceived(.init(message: ByteBuffer(string: "bye")), now: now)
        case .upstreamConnected: return harness.machine.upstreamConnected(now: now)
        case .upstreamConnectFailed: return harness.machine.upstreamConnectFailed(.rejectedNotSupported, now: now)
        case .upstreamLost: return harness.machine.upstreamLost(now: now)
        case .publishQoS1:
            return harness.machine.publishReceived(
                .text("p", qos: .atLeastOnce, topicID: 7, type: .predefined, messageID: 9),
                now: now
            )
        case .register: return harness.machine.registerReceived(.init(messageID: 3, topicName: "r/1"), now: now)
        case .publishRelease: return harness.machine.publishReleaseReceived(.init(messageID: 4), now: now)
        case .subscribe:
            return harness.machine.subscribeReceived(
                .init(qos: .atLeastOnce, messageID: 5, topic: .name("s/1")),
                now: now
            )
        case .unsubscribe:
            return harness.machine.unsubscribeReceived(.init(messageID: 6, topic: .name("s/1")), now: now)
        case .pingRequest: return harness.machine.pingRequestReceived(.init(clientID: "sensor-1"), now: now)
        case .disconnect: return harness.machine.disconnectReceived(.init(), now: now)
        case .disconnectSleep: return harness.machine.disconnectReceived(.init(duration: 30), now: now)
        case .willTopicUpdate:
            return harness.machine.willTopicUpdateReceived(
                .init(will: MQTTSNWill(qos: .atMostOnce, topicName: "w/u")),
                now: now
            )
        case .willMessageUpdate:
            return harness.machine.willMessageUpdateReceived(.init(message: ByteBuffer(string: "x")), now: now)
        case .tickLate: return harness.machine.tick(now: harness.at(1000))
        case .nextDelivery: return harness.machine.nextDelivery(now: now)
        }
    }

    typealias State = ClientSessionStateMachine.State

    static let dropped = ClientSessionAction.dropped(.unexpected)
    static let publishComplete = ClientSessionAction.send(.publishComplete(.init(messageID: 4)))
    static let published = ClientSessionAction.publishUpstream(
        .text("predefined/seven", "p", qos: .atLeastOnce),
        completion: .publishAck(topicID: 7, messageID: 9)
    )
    static let registered = ClientSessionAction.send(
        .registerAck(.init(topicID: 1, messageID: 3, returnCode: .accepted))
    )
    static let subscribed = ClientSessionAction.subscribeUpstream(
        topicFilter: "s/1",
        qos: .atLeastOnce,
        messageID: 5,
        topicID: 1
    )
    static let unsubscribed = ClientSessionAction.unsubscribeUpstream(topicFilter: "s/1", messageID: 6)
    static let noWill = ClientSessionAction.send(.willMessageResponse(.init(returnCode: .rejectedNotSupported)))

    /// The connect exchange: only its own messages, DISCONNECT and PUBREL (always answered) do anything.
    static func connecting(
        _ state: State,
        _ overrides: [Event: (ClientSessionAction, State)]
    ) -> [Event: (
        ClientSessionAction, State
    )] {
        var row: [Event: (ClientSessionAction, State)] = [:]
        for event in Event.allCases { row[event] = (Self.dropped, state) }
        row[.upstreamConnected] = (.none, state)
        row[.upstreamConnectFailed] = (.none, state)
        row[.upstreamLost] = (.none, state)
        row[.publishRelease] = (Self.publishComplete, state)
        row[.disconnect] = (.closeGracefully, .closed)
        row[.disconnectSleep] = (.closeGracefully, .closed)
        row[.tickLate] = (.lost(.connectTimeout), .closed)
        row[.nextDelivery] = (.none, state)
        row.merge(overrides) { $1 }
        return row
    }

    /// An established session (active, asleep, awake): the client's traffic is handled.
    static func established(
        _ state: State,
        _ overrides: [Event: (ClientSessionAction, State)]
    ) -> [Event: (
        ClientSessionAction, State
    )] {
        var row: [Event: (ClientSessionAction, State)] = [
            .willTopic: (Self.dropped, state),
            .willMessage: (Self.dropped, state),
            .upstreamConnected: (.none, state),
            .upstreamConnectFailed: (.none, state),
            // The client's session survives; its upstream session reconnects (see ClientSessionResilienceTests).
            .upstreamLost: (.none, state),
            .publishQoS1: (Self.published, state),
            .register: (Self.registered, state),
            .publishRelease: (Self.publishComplete, state),
            .subscribe: (Self.subscribed, state),
            .unsubscribe: (Self.unsubscribed, state),
            .disconnect: (.closeGracefully, .closed),
            .disconnectSleep: (.send(.disconnect(.init())), .asleep(duration: 30)),
            .willTopicUpdate: (.reestablishUpstream, state),
            .willMessageUpdate: (Self.noWill, state),
            .nextDelivery: (.none, state),
        ]
        row.merge(overrides) { $1 }
        return row
    }

    static let table: [Start: [Event: (ClientSessionAction, State)]] = [
        .awaitingWillTopic: connecting(
            .awaitingWillTopic,
            [.willTopic: (.send(.willMessageRequest(.init())), .awaitingWillMessage(Self.will))]
        ),
        .awaitingWillMessage: connecting(
            .awaitingWillMessage(Self.will),
            [
                .willMessage: (.connectUpstream, .connectingUpstream),
                // A repeated WILLTOPIC (its WILLMSGREQ was lost) is asked for WILLMSG again.
                .willTopic: (.send(.willMessageRequest(.init())), .awaitingWillMessage(Self.will)),
            ]
        ),
        .connectingUpstream: connecting(
            .connectingUpstream,
            [
                .upstreamConnected: (.send(.connectAck(.init(returnCode: .accepted))), .active),
                .upstreamConnectFailed: (.rejectConnection(.rejectedNotSupported), .closed),
                // The upstream connect has its own timeout, which answers the client.
                .tickLate: (.none, .connectingUpstream),
            ]
        ),
        .active: established(
            .active,
            [
                .pingRequest: (.send(.pingResponse(.init())), .active),
                .tickLate: (.lost(.keepAliveExpired), .closed),
            ]
        ),
        .asleep: established(
            .asleep(duration: 30),
            [
                .pingRequest: (.none, .awake(duration: 30)),
                .tickLate: (.lost(.sleepExpired), .closed),
            ]
        ),
        .awake: established(
            .awake(duration: 30),
            [
                .pingRequest: (.none, .awake(duration: 30)),
                .tickLate: (.lost(.keepAliveExpired), .closed),
                .nextDelivery: (.send(.pingResponse(.init())), .asleep(duration: 30)),
            ]
        ),
        // Clean session off: kept for the next CONNECT (ClientSessionResilienceTests), deaf to everything else.
        .disconnected: connecting(
            .disconnected,
            [.tickLate: (.none, .disconnected)]
        ),
        .closed: connecting(
            .closed,
            [.tickLate: (.none, .closed)]
        ),
    ]

    @Test("Every event in every state", arguments: Start.allCases)
    func everyEvent(start: Start) throws {
        let row = try #require(Self.table[start])
        #expect(row.count == Event.allCases.count, "\(start) covers every event")
        for event in Event.allCases {
            var harness = Self.machine(in: start)
            let (expectedAction, expectedState) = try #require(row[event])
            let action = Self.apply(event, to: &harness)
            #expect(action == expectedAction, "\(start) + \(event)")
            #expect(harness.machine.state == expectedState, "\(start) + \(event)")
        }
    }

    @Test("A stored session round-trips through its encoded form and resumes where it was")
    func restoreFromRecord() throws {
        var harness = StateMachineHarness.active()
        _ = harness.machine.registerReceived(.init(messageID: 1, topicName: "plant/p1/temperature"), now: harness.at(0))
        _ = harness.machine.subscribeCompleted(
            topicFilter: "plant/p1/valve/cmd",
            messageID: 2,
            topicID: 0,
            grantedQoS: .atLeastOnce
        )
        _ = harness.machine.publishReceived(
            .text("q2", qos: .exactlyOnce, topicID: 1, messageID: 8),
            now: harness.at(0)
        )
        _ = harness.machine.upstreamPublishCompleted(.publishReceived(topicID: 1, messageID: 8), succeeded: true)
        _ = harness.machine.enqueue(.text("plant/p1/valve/cmd", "open", qos: .atLeastOnce))
        _ = harness.machine.enqueue(.text("plant/p1/valve/cmd", "close", qos: .atLeastOnce))
        let register = harness.machine.nextDelivery(now: harness.at(1))
        #expect(register == .send(.register(.init(topicID: 2, messageID: 1, topicName: "plant/p1/valve/cmd"))))
        _ = harness.machine.registerAckReceived(
            .init(topicID: 2, messageID: 1, returnCode: .accepted),
            now: harness.at(1)
        )

        let record = try #require(harness.machine.record)
        let decoded = try JSONDecoder().decode(ClientSessionRecord.self, from: JSONEncoder().encode(record))
        #expect(decoded == record)
        #expect(decoded.version == ClientSessionRecord.currentVersion)

        var restored = ClientSessionStateMachine(
            restoring: decoded,
            settings: ClientSessionSettings(StateMachineHarness.settings),
            predefinedTopics: PredefinedTopics(global: [7: "predefined/seven"]),
            now: harness.at(100)
        )
        #expect(restored.state == .active)
        #expect(restored.start() == .connectUpstream)
        #expect(
            restored.upstreamConnected(now: harness.at(100))
                == .restoreUpstream(subscriptions: ["plant/p1/valve/cmd": .atLeastOnce], thenSend: nil)
        )
        // The topic ids stay: id 1 is still the temperature, id 2 the valve command.
        #expect(restored.registry.topicName(for: 1, type: .normal) == "plant/p1/temperature")
        #expect(restored.registry.topicName(for: 2, type: .normal) == "plant/p1/valve/cmd")
        // The QoS 2 dedup state stays: the DUP is answered with PUBREC, not published again.
        #expect(
            restored.publishReceived(
                .text("q2", qos: .exactlyOnce, topicID: 1, messageID: 8, dup: true),
                now: harness.at(100)
            )
                == .sendOnceStored(.publishReceived(.init(messageID: 8)))
        )
        // The unacknowledged delivery goes again with DUP, then the queue continues.
        #expect(
            restored.tick(now: harness.at(100))
                == .send(.publish(.text("open", qos: .atLeastOnce, topicID: 2, messageID: 2, dup: true)))
        )
        _ = restored.publishAckReceived(.init(topicID: 2, messageID: 2, returnCode: .accepted), now: harness.at(100))
        #expect(
            restored.nextDelivery(now: harness.at(100))
                == .send(.publish(.text("close", qos: .atLeastOnce, topicID: 2, messageID: 3)))
        )
    }
}
