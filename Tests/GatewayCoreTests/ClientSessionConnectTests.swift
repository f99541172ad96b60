import MQTTSN
import NIOCore
import Testing

@testable import GatewayCore

@Suite("Client session: CONNECT and will exchange")
struct ClientSessionConnectTests {
    @Test("CONNECT without will connects upstream, CONNACK only once the upstream session is up")
    func connectWithoutWill() {
        var harness = StateMachineHarness()
        #expect(harness.machine.start() == .connectUpstream)
        #expect(harness.machine.state == .connectingUpstream)
        #expect(harness.machine.will == nil)
        #expect(
            harness.machine.upstreamConnected(now: harness.at(0.1)) == .send(.connectAck(.init(returnCode: .accepted)))
        )
        #expect(harness.machine.state == .active)
    }

    @Test("CONNECT with will runs WILLTOPICREQ / WILLMSGREQ before connecting upstream with that will")
    func connectWithWill() {
        var harness = StateMachineHarness(connect: MQTTSNConnect(will: true, duration: 5, clientID: "w"))
        #expect(harness.machine.start() == .send(.willTopicRequest(.init())))
        let willTopic = MQTTSNWillTopic(
            will: MQTTSNWill(qos: .atLeastOnce, retain: true, topicName: "devices/w/status")
        )
        #expect(
            harness.machine.willTopicReceived(willTopic, now: harness.at(0.1)) == .send(.willMessageRequest(.init()))
        )
        #expect(harness.machine.state == .awaitingWillMessage(willTopic.will!))
        let action = harness.machine.willMessageReceived(
            .init(message: ByteBuffer(string: "offline")),
            now: harness.at(0.2)
        )
        #expect(action == .connectUpstream)
        #expect(harness.machine.will == .text("devices/w/status", "offline", qos: .atLeastOnce, retain: true))
    }

    @Test("An empty WILLTOPIC means no will")
    func emptyWillTopic() {
        var harness = StateMachineHarness(connect: MQTTSNConnect(will: true, duration: 5, clientID: "w"))
        _ = harness.machine.start()
        #expect(harness.machine.willTopicReceived(.init(will: nil), now: harness.at(0.1)) == .connectUpstream)
        #expect(harness.machine.will == nil)
    }

    @Test("A will exchange the client abandons times out", arguments: [29.0, 31.0])
    func willExchangeTimeout(seconds: Double) {
        var harness = StateMachineHarness(connect: MQTTSNConnect(will: true, duration: 5, clientID: "w"))
        _ = harness.machine.start()
        let expected: ClientSessionAction = seconds > 30 ? .lost(.connectTimeout) : .none
        #expect(harness.machine.tick(now: harness.at(seconds)) == expected)
    }

    @Test(
        "Broker refusals become the mapped CONNACK return code",
        arguments: [
            (UpstreamConnectError.notAuthorized("bad password"), MQTTSNReturnCode.rejectedNotSupported),
            (UpstreamConnectError.unavailable("connection refused"), MQTTSNReturnCode.rejectedCongestion),
            (UpstreamConnectError.identifierRejected("id"), MQTTSNReturnCode.rejectedNotSupported),
        ]
    )
    func upstreamRefused(error: UpstreamConnectError, code: MQTTSNReturnCode) {
        var harness = StateMachineHarness()
        _ = harness.machine.start()
        #expect(error.mqttsnReturnCode == code)
        #expect(
            harness.machine.upstreamConnectFailed(error.mqttsnReturnCode, now: harness.at(1)) == .rejectConnection(code)
        )
        #expect(harness.machine.state == .closed)
    }

    @Test("PUBLISH before the CONNACK is not forwarded")
    func publishWhileConnecting() {
        var harness = StateMachineHarness()
        _ = harness.machine.start()
        let action = harness.machine.publishReceived(
            .text("x", qos: .atMostOnce, topicID: 7, type: .predefined),
            now: harness.at(0.1)
        )
        #expect(action == .dropped(.unexpected))
    }

    @Test("WILLTOPICUPD and WILLMSGUPD change the will, re-establish upstream and restore the subscriptions")
    func willUpdate() {
        var harness = StateMachineHarness.active()
        _ = harness.machine.subscribeCompleted(topicFilter: "a/#", messageID: 1, topicID: 0, grantedQoS: .atLeastOnce)
        let update = MQTTSNWillTopicUpdate(will: MQTTSNWill(qos: .atMostOnce, topicName: "new/will"))
        #expect(harness.machine.willTopicUpdateReceived(update, now: harness.at(1)) == .reestablishUpstream)
        #expect(harness.machine.upstream == .reestablishing(response: .willTopicResponse(.init(returnCode: .accepted))))
        #expect(
            harness.machine.upstreamConnected(now: harness.at(1.1))
                == .restoreUpstream(
                    subscriptions: ["a/#": .atLeastOnce],
                    thenSend: .willTopicResponse(.init(returnCode: .accepted))
                )
        )
        #expect(harness.machine.upstream == .up)
        #expect(
            harness.machine.willMessageUpdateReceived(.init(message: ByteBuffer(string: "gone")), now: harness.at(2))
                == .reestablishUpstream
        )
        #expect(
            harness.machine.upstreamConnected(now: harness.at(2.1))
                == .restoreUpstream(
                    subscriptions: ["a/#": .atLeastOnce],
                    thenSend: .willMessageResponse(.init(returnCode: .accepted))
                )
        )
        #expect(harness.machine.will == .text("new/will", "gone"))
        #expect(harness.machine.willTopicUpdateReceived(.init(will: nil), now: harness.at(3)) == .reestablishUpstream)
        #expect(harness.machine.will == nil)
        // The broker is gone meanwhile: the session stays and the gateway tries again after the backoff.
        #expect(harness.machine.upstreamConnectFailed(.rejectedCongestion, now: harness.at(3)) == .none)
        #expect(harness.machine.state == .active)
        #expect(
            harness.machine.upstream
                == .down(
                    retryAt: harness.at(4),
                    attempt: 1,
                    thenSend: .willTopicResponse(.init(returnCode: .accepted))
                )
        )
    }

    @Test("Which CONNECT continues a session (section 6.14) and which starts a new one")
    func resumesTable() {
        let table: [(asleep: Bool, cleanSession: Bool, will: Bool, resumes: Bool)] = [
            (false, false, false, true),
            (false, true, false, false),
            (false, false, true, false),
            (true, true, false, true),
            (true, false, false, true),
            (true, true, true, false),
        ]
        for row in table {
            var harness = StateMachineHarness.active()
            if row.asleep {
                _ = harness.machine.disconnectReceived(.init(duration: 60), now: harness.at(1))
            }
            let connect = MQTTSNConnect(
                will: row.will,
                cleanSession: row.cleanSession,
                duration: 10,
                clientID: "sensor-1"
            )
            #expect(harness.machine.resumes(with: connect) == row.resumes, "\(row)")
        }
    }

    @Test("CONNECT with clean session off resumes an established session")
    func resume() {
        var harness = StateMachineHarness.active()
        _ = harness.machine.disconnectReceived(.init(duration: 60), now: harness.at(1))
        #expect(harness.machine.state == .asleep(duration: 60))
        let action = harness.machine.resume(
            MQTTSNConnect(cleanSession: false, duration: 20, clientID: "sensor-1"),
            now: harness.at(2)
        )
        #expect(action == .send(.connectAck(.init(returnCode: .accepted))))
        #expect(harness.machine.state == .active)
        #expect(harness.machine.keepAlive == 20)
    }
}
