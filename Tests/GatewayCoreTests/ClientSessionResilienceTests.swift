import MQTTSN
import NIOCore
import Testing

@testable import GatewayCore

/// The session across faults: upstream loss and reconnect, kept clean-session-off sessions, downlink
/// acknowledgements and bounds, repeated CONNECTs, and the spec points of issue 10.
@Suite("Client session resilience")
struct ClientSessionResilienceTests {
    static let accepted = ClientSessionAction.send(.connectAck(.init(returnCode: .accepted)))

    @Test("Upstream loss: the session stays, QoS 1/2 get congestion at once, QoS 0 is counted, SUBSCRIBE refused")
    func upstreamDown() {
        var harness = StateMachineHarness.active()
        _ = harness.machine.subscribeCompleted(topicFilter: "cmd/#", messageID: 1, topicID: 0, grantedQoS: .atLeastOnce)
        #expect(harness.machine.upstreamLost(now: harness.at(1)) == .none)
        #expect(harness.machine.state == .active)
        #expect(harness.machine.upstream == .down(retryAt: nil, attempt: 0, thenSend: nil))
        let table: [(MQTTSNPublish, ClientSessionAction)] = [
            (
                .text("1", qos: .atLeastOnce, topicID: 7, type: .predefined, messageID: 2),
                .send(.publishAck(.init(topicID: 7, messageID: 2, returnCode: .rejectedCongestion)))
            ),
            (
                .text("2", qos: .exactlyOnce, topicID: 7, type: .predefined, messageID: 3),
                .send(.publishAck(.init(topicID: 7, messageID: 3, returnCode: .rejectedCongestion)))
            ),
            (.text("0", qos: .atMostOnce, topicID: 7, type: .predefined), .dropped(.upstreamDown)),
        ]
        for (publish, expected) in table {
            #expect(harness.machine.publishReceived(publish, now: harness.at(2)) == expected, "\(publish.qos)")
        }
        #expect(
            harness.machine.subscribeReceived(
                .init(qos: .atMostOnce, messageID: 4, topic: .name("x")),
                now: harness.at(2)
            )
                == .send(
                    .subscribeAck(.init(qos: .atMostOnce, topicID: 0, messageID: 4, returnCode: .rejectedCongestion))
                )
        )
        // The MQTT client reconnects by itself; a broker without the session gets the subscriptions back.
        #expect(
            harness.machine.upstreamConnected(now: harness.at(3), sessionPresent: false)
                == .restoreUpstream(subscriptions: ["cmd/#": .atLeastOnce], thenSend: nil)
        )
        #expect(harness.machine.isUpstreamUp)
        _ = harness.machine.upstreamLost(now: harness.at(4))
        #expect(
            harness.machine.upstreamConnected(now: harness.at(5), sessionPresent: true)
                == .restoreUpstream(subscriptions: [:], thenSend: nil)
        )
        #expect(
            harness.machine.publishReceived(
                .text("1", qos: .atLeastOnce, topicID: 7, type: .predefined, messageID: 5),
                now: harness.at(5)
            )
                == .publishUpstream(
                    .text("predefined/seven", "1", qos: .atLeastOnce),
                    completion: .publishAck(topicID: 7, messageID: 5)
                )
        )
    }

    @Test("A failed re-establishment is retried with doubling backoff, and the will update answered once up")
    func reconnectBackoff() {
        var harness = StateMachineHarness.active()
        let response = MQTTSNPacket.willTopicResponse(.init(returnCode: .accepted))
        #expect(harness.machine.willTopicUpdateReceived(.init(will: nil), now: harness.at(1)) == .reestablishUpstream)
        let table: [(failAt: Double, retryAt: Double, attempt: Int)] = [(1, 2, 1), (2, 4, 2), (4, 8, 3), (8, 16, 4)]
        for row in table {
            #expect(harness.machine.upstreamConnectFailed(.rejectedCongestion, now: harness.at(row.failAt)) == .none)
            #expect(
                harness.machine.upstream
                    == .down(retryAt: harness.at(row.retryAt), attempt: row.attempt, thenSend: response)
            )
            _ = harness.machine.pingRequestReceived(.init(), now: harness.at(row.retryAt - 0.1))
            #expect(harness.machine.tick(now: harness.at(row.retryAt - 0.1)) == .none, "not before \(row.retryAt)")
            #expect(harness.machine.tick(now: harness.at(row.retryAt)) == .connectUpstream)
            #expect(harness.machine.upstream == .reconnecting(attempt: row.attempt, thenSend: response))
        }
        #expect(
            harness.machine.upstreamConnected(now: harness.at(16))
                == .restoreUpstream(subscriptions: [:], thenSend: response)
        )
    }

    @Test("Clean session off: DISCONNECT keeps the session; CONNECT without will keeps the will, ids, QoS 2 state")
    func keptSession() throws {
        var harness = StateMachineHarness(
            connect: MQTTSNConnect(will: true, cleanSession: false, duration: 10, clientID: "k")
        )
        _ = harness.machine.start()
        _ = harness.machine.willTopicReceived(
            .init(will: MQTTSNWill(qos: .atLeastOnce, topicName: "k/status")),
            now: harness.at(0)
        )
        _ = harness.machine.willMessageReceived(.init(message: ByteBuffer(string: "gone")), now: harness.at(0))
        #expect(harness.machine.upstreamConnected(now: harness.at(0)) == Self.accepted)
        _ = harness.machine.registerReceived(.init(messageID: 1, topicName: "plant/p1/temperature"), now: harness.at(0))
        // A QoS 2 delivery to the client stops at PUBREL when it leaves.
        _ = harness.machine.enqueue(
            .text("predefined/seven", "q2", qos: .exactlyOnce),
            acknowledgement: .init(packetID: 9)
        )
        #expect(
            harness.machine.nextDelivery(now: harness.at(1))
                == .send(.publish(.text("q2", qos: .exactlyOnce, topicID: 7, type: .predefined, messageID: 1)))
        )
        #expect(
            harness.machine.publishReceivedReceived(.init(messageID: 1), now: harness.at(1))
                == .send(.publishRelease(.init(messageID: 1)))
        )
        #expect(harness.machine.nextDelivery(now: harness.at(1)) == .acknowledgeUpstream(.init(packetID: 9)))
        #expect(harness.machine.disconnectReceived(.init(), now: harness.at(2)) == .closeGracefully)
        #expect(harness.machine.state == .disconnected)
        #expect(harness.machine.upstream == .idle)

        let again = MQTTSNConnect(cleanSession: false, duration: 20, clientID: "k")
        #expect(harness.machine.reconnects(with: again))
        #expect(!harness.machine.reconnects(with: MQTTSNConnect(cleanSession: true, duration: 20, clientID: "k")))
        #expect(harness.machine.reconnect(again, now: harness.at(50)) == .connectUpstream)
        #expect(harness.machine.will == .text("k/status", "gone", qos: .atLeastOnce))
        #expect(harness.machine.upstreamConnected(now: harness.at(50)) == Self.accepted)
        #expect(harness.machine.registry.topicName(for: 1, type: .normal) == "plant/p1/temperature")
        // The unfinished QoS 2 exchange resumes: PUBREL again, not the PUBLISH.
        #expect(harness.machine.tick(now: harness.at(50)) == .send(.publishRelease(.init(messageID: 1))))
        #expect(harness.machine.publishCompleteReceived(.init(messageID: 1), now: harness.at(50)) == .none)
        #expect(harness.machine.inFlight == nil)
    }

    @Test("A kept session continued where the broker kept nothing gets its subscriptions again before its CONNACK")
    func keptSessionWithoutBrokerSession() {
        var harness = StateMachineHarness(connect: MQTTSNConnect(cleanSession: false, duration: 10, clientID: "k"))
        _ = harness.machine.start()
        #expect(harness.machine.upstreamConnected(now: harness.at(0)) == Self.accepted)
        _ = harness.machine.subscribeCompleted(topicFilter: "cmd/#", messageID: 1, topicID: 0, grantedQoS: .atLeastOnce)
        #expect(harness.machine.disconnectReceived(.init(), now: harness.at(1)) == .closeGracefully)
        #expect(
            harness.machine.reconnect(.init(cleanSession: false, duration: 10, clientID: "k"), now: harness.at(2))
                == .connectUpstream
        )
        // The broker (or aggregating mode's pool) kept the session: nothing to subscribe.
        var kept = harness
        #expect(kept.machine.upstreamConnected(now: kept.at(3), sessionPresent: true) == Self.accepted)
        // It did not (a broker restarted without persistence, a shared session that started clean): subscribe again.
        #expect(
            harness.machine.upstreamConnected(now: harness.at(3), sessionPresent: false)
                == .restoreUpstream(
                    subscriptions: ["cmd/#": .atLeastOnce],
                    thenSend: .connectAck(.init(returnCode: .accepted))
                )
        )
        #expect(harness.machine.state == .active)
    }

    @Test("A kept session whose reconnect fails is refused with congestion and kept; loss keeps it too")
    func keptSessionRefused() {
        var harness = StateMachineHarness(connect: MQTTSNConnect(cleanSession: false, duration: 10, clientID: "k"))
        _ = harness.machine.start()
        _ = harness.machine.upstreamConnected(now: harness.at(0))
        #expect(harness.machine.tick(now: harness.at(100)) == .lost(.keepAliveExpired))
        #expect(harness.machine.state == .disconnected)
        _ = harness.machine.reconnect(
            MQTTSNConnect(cleanSession: false, duration: 10, clientID: "k"),
            now: harness.at(101)
        )
        #expect(
            harness.machine.upstreamConnectFailed(.rejectedCongestion, now: harness.at(101))
                == .refuseReconnect(.rejectedCongestion)
        )
        #expect(harness.machine.state == .disconnected)
        #expect(harness.machine.record?.state == .disconnected)
    }

    @Test("A CONNECT repeated during the exchange is answered by its outcome; WILLTOPICREQ is repeated")
    func repeatedConnect() {
        var plain = StateMachineHarness()
        _ = plain.machine.start()
        #expect(plain.machine.isRepeat(of: MQTTSNConnect(duration: 10, clientID: "sensor-1")))
        #expect(!plain.machine.isRepeat(of: MQTTSNConnect(duration: 30, clientID: "sensor-1")))
        #expect(plain.machine.connectRepeated(now: plain.at(1)) == .dropped(.repeatedConnect))
        #expect(plain.machine.upstreamConnected(now: plain.at(2)) == Self.accepted)
        #expect(!plain.machine.isRepeat(of: MQTTSNConnect(duration: 10, clientID: "sensor-1")))

        var withWill = StateMachineHarness(connect: MQTTSNConnect(will: true, duration: 10, clientID: "w"))
        _ = withWill.machine.start()
        #expect(withWill.machine.connectRepeated(now: withWill.at(1)) == .send(.willTopicRequest(.init())))
    }

    @Test("Downlink: acknowledged upstream only once the client acknowledged (QoS 1 PUBACK, QoS 2 PUBREC)")
    func downlinkAcknowledgement() {
        var harness = StateMachineHarness.active()
        _ = harness.machine.enqueue(
            .text("predefined/seven", "one", qos: .atLeastOnce),
            acknowledgement: .init(packetID: 11)
        )
        _ = harness.machine.enqueue(
            .text("predefined/seven", "two", qos: .exactlyOnce),
            acknowledgement: .init(packetID: 12)
        )
        #expect(
            harness.machine.nextDelivery(now: harness.at(1))
                == .send(.publish(.text("one", qos: .atLeastOnce, topicID: 7, type: .predefined, messageID: 1)))
        )
        #expect(harness.machine.nextDelivery(now: harness.at(1)) == .none, "nothing acknowledged before the PUBACK")
        _ = harness.machine.publishAckReceived(
            .init(topicID: 7, messageID: 1, returnCode: .accepted),
            now: harness.at(2)
        )
        #expect(harness.machine.nextDelivery(now: harness.at(2)) == .acknowledgeUpstream(.init(packetID: 11)))
        #expect(
            harness.machine.nextDelivery(now: harness.at(2))
                == .send(.publish(.text("two", qos: .exactlyOnce, topicID: 7, type: .predefined, messageID: 2)))
        )
        _ = harness.machine.publishReceivedReceived(.init(messageID: 2), now: harness.at(3))
        #expect(harness.machine.nextDelivery(now: harness.at(3)) == .acknowledgeUpstream(.init(packetID: 12)))
        // A repeated PUBREC does not acknowledge twice.
        _ = harness.machine.publishReceivedReceived(.init(messageID: 2), now: harness.at(3))
        #expect(harness.machine.nextDelivery(now: harness.at(3)) == .none)
    }

    @Test("PUBACK invalid topic id: REGISTER again and re-send the same message, once")
    func reRegisterAndResend() {
        var harness = StateMachineHarness.active()
        _ = harness.machine.enqueue(
            .text("plant/valve", "open", qos: .atLeastOnce),
            acknowledgement: .init(packetID: 5)
        )
        #expect(
            harness.machine.nextDelivery(now: harness.at(1))
                == .send(.register(.init(topicID: 1, messageID: 1, topicName: "plant/valve")))
        )
        _ = harness.machine.registerAckReceived(
            .init(topicID: 1, messageID: 1, returnCode: .accepted),
            now: harness.at(1)
        )
        #expect(
            harness.machine.publishAckReceived(
                .init(topicID: 1, messageID: 2, returnCode: .rejectedInvalidTopicID),
                now: harness.at(2)
            ) == .none
        )
        #expect(
            harness.machine.nextDelivery(now: harness.at(2))
                == .send(.register(.init(topicID: 2, messageID: 3, topicName: "plant/valve")))
        )
        #expect(
            harness.machine.registerAckReceived(
                .init(topicID: 2, messageID: 3, returnCode: .accepted),
                now: harness.at(2)
            )
                == .send(.publish(.text("open", qos: .atLeastOnce, topicID: 2, messageID: 4)))
        )
        // Refused a second time: dropped, counted, and acknowledged upstream so the broker moves on.
        #expect(
            harness.machine.publishAckReceived(
                .init(topicID: 2, messageID: 4, returnCode: .rejectedInvalidTopicID),
                now: harness.at(3)
            )
                == .dropped(.refusedByClient)
        )
        #expect(harness.machine.nextDelivery(now: harness.at(3)) == .acknowledgeUpstream(.init(packetID: 5)))
    }

    @Test("Downlink queue bound: QoS 0 makes room first; a full QoS 1 queue drops the newest, acknowledged")
    func downlinkQueueBound() {
        var settings = StateMachineHarness.settings
        settings.downlinkQueueLimit = 3
        var harness = StateMachineHarness.active(settings: settings)
        _ = harness.machine.enqueue(.text("a/b", "busy", qos: .atLeastOnce), acknowledgement: .init(packetID: 1))
        _ = harness.machine.nextDelivery(now: harness.at(1))  // "busy" in flight
        let table: [(UpstreamMessage, UInt16, ClientDropReason?)] = [
            (.text("a/b", "q0"), 0, nil),
            (.text("a/b", "1", qos: .atLeastOnce), 2, nil),
            (.text("a/b", "2", qos: .atLeastOnce), 3, nil),
            (.text("a/b", "3", qos: .atLeastOnce), 4, .queueFull),
            (.text("a/b", "4", qos: .atLeastOnce), 5, .downlinkQueueFull),
        ]
        for (message, packetID, expected) in table {
            let acknowledgement: UpstreamAcknowledgement? = packetID == 0 ? nil : .init(packetID: packetID)
            #expect(harness.machine.enqueue(message, acknowledgement: acknowledgement) == expected, "\(packetID)")
        }
        #expect(harness.machine.queue.map { String(buffer: $0.message.payload) } == ["1", "2", "3"])
        #expect(harness.machine.nextDelivery(now: harness.at(1)) == .acknowledgeUpstream(.init(packetID: 5)))
    }
}
