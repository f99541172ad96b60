import MQTTSN
import NIOCore
import Testing

@testable import GatewayCore

@Suite("Client session: delivery to the client, retransmission, sleep and keepalive")
struct ClientSessionDeliveryTests {
    @Test("A topic without id is REGISTERed first; the PUBLISH waits for the REGACK")
    func registerBeforePublish() {
        var harness = StateMachineHarness.active()
        #expect(harness.machine.enqueue(.text("room/1/temp", "21", qos: .atLeastOnce)) == nil)
        #expect(
            harness.machine.nextDelivery(now: harness.at(1))
                == .send(.register(.init(topicID: 1, messageID: 1, topicName: "room/1/temp")))
        )
        #expect(
            harness.machine.nextDelivery(now: harness.at(1)) == .none,
            "nothing else while the REGACK is outstanding"
        )
        let publish = MQTTSNPacket.publish(.text("21", qos: .atLeastOnce, topicID: 1, messageID: 2))
        #expect(
            harness.machine.registerAckReceived(
                .init(topicID: 1, messageID: 1, returnCode: .accepted),
                now: harness.at(1.1)
            ) == .send(publish)
        )
        #expect(
            harness.machine.publishAckReceived(
                .init(topicID: 1, messageID: 2, returnCode: .accepted),
                now: harness.at(1.2)
            ) == .none
        )
        #expect(harness.machine.inFlight == nil)
        // The second message on the same topic needs no REGISTER.
        _ = harness.machine.enqueue(.text("room/1/temp", "22"))
        #expect(
            harness.machine.nextDelivery(now: harness.at(2))
                == .send(.publish(.text("22", qos: .atMostOnce, topicID: 1)))
        )
    }

    @Test("Predefined ids and short names are used without REGISTER")
    func noRegisterNeeded() {
        var harness = StateMachineHarness.active()
        _ = harness.machine.enqueue(.text("predefined/seven", "p"))
        _ = harness.machine.enqueue(.text("ab", "s"))
        #expect(
            harness.machine.nextDelivery(now: harness.at(1))
                == .send(.publish(.text("p", qos: .atMostOnce, topicID: 7, type: .predefined)))
        )
        #expect(
            harness.machine.nextDelivery(now: harness.at(1))
                == .send(
                    .publish(
                        .text("s", qos: .atMostOnce, topicID: MQTTSNShortTopicName("ab")!.rawValue, type: .shortName)
                    )
                )
        )
        #expect(harness.machine.nextDelivery(now: harness.at(1)) == .none)
    }

    @Test(
        "Unacknowledged PUBLISH is retransmitted with DUP every retry interval; after the last retry only it is dropped"
    )
    func retransmission() {
        var harness = StateMachineHarness.active(keepAlive: 0)
        _ = harness.machine.enqueue(.text("predefined/seven", "r", qos: .atLeastOnce))
        let publish = MQTTSNPublish.text("r", qos: .atLeastOnce, topicID: 7, type: .predefined, messageID: 1)
        var duplicate = publish
        duplicate.dup = true
        let table: [(Double, ClientSessionAction)] = [
            (1.9, .none),
            (2.0, .send(.publish(duplicate))),
            (3.9, .none),
            (4.0, .send(.publish(duplicate))),
            (6.0, .deliveryDropped(.text("predefined/seven", "r", qos: .atLeastOnce), .retriesExhausted, size: 8)),
        ]
        #expect(harness.machine.nextDelivery(now: harness.at(0)) == .send(.publish(publish)))
        for (seconds, expected) in table {
            #expect(harness.machine.tick(now: harness.at(seconds)) == expected, "t=\(seconds)")
        }
        #expect(harness.machine.state == .active)
        #expect(harness.machine.inFlight == nil)
    }

    @Test("QoS 2 delivery: PUBLISH, PUBREC, PUBREL (retransmitted), PUBCOMP")
    func qos2Delivery() {
        var harness = StateMachineHarness.active(keepAlive: 0)
        _ = harness.machine.enqueue(.text("predefined/seven", "q2", qos: .exactlyOnce))
        #expect(
            harness.machine.nextDelivery(now: harness.at(0))
                == .send(.publish(.text("q2", qos: .exactlyOnce, topicID: 7, type: .predefined, messageID: 1)))
        )
        #expect(
            harness.machine.publishReceivedReceived(.init(messageID: 1), now: harness.at(0.5))
                == .send(.publishRelease(.init(messageID: 1)))
        )
        #expect(harness.machine.tick(now: harness.at(2.5)) == .send(.publishRelease(.init(messageID: 1))))
        #expect(harness.machine.publishCompleteReceived(.init(messageID: 1), now: harness.at(2.6)) == .none)
        #expect(harness.machine.inFlight == nil)
        #expect(harness.machine.tick(now: harness.at(10)) == .none)
    }

    @Test("The buffer keeps the newest messages and reports each dropped oldest one")
    func bufferOverflow() {
        var harness = StateMachineHarness.active()
        _ = harness.machine.disconnectReceived(.init(duration: 100), now: harness.at(0))
        let dropped = (1...5).map { harness.machine.enqueue(.text("ab", "\($0)")) }
        #expect(dropped == [nil, nil, nil, .queueFull, .queueFull])
        #expect(harness.machine.queue.map { String(buffer: $0.message.payload) } == ["3", "4", "5"])
    }

    @Test("Sleeping client: buffered until PINGREQ(client id), delivered, then PINGRESP sends it back to sleep")
    func sleepAndAwake() {
        var harness = StateMachineHarness.active()
        #expect(
            harness.machine.disconnectReceived(.init(duration: 20), now: harness.at(1)) == .send(.disconnect(.init()))
        )
        #expect(harness.machine.state == .asleep(duration: 20))
        _ = harness.machine.enqueue(.text("ab", "one", qos: .atLeastOnce))
        _ = harness.machine.enqueue(.text("ab", "two"))
        #expect(harness.machine.nextDelivery(now: harness.at(2)) == .none, "nothing is sent to a sleeping client")
        #expect(harness.machine.pingRequestReceived(.init(clientID: "sensor-1"), now: harness.at(25)) == .none)
        #expect(harness.machine.state == .awake(duration: 20))
        let short = MQTTSNShortTopicName("ab")!.rawValue
        #expect(
            harness.machine.nextDelivery(now: harness.at(25))
                == .send(.publish(.text("one", qos: .atLeastOnce, topicID: short, type: .shortName, messageID: 1)))
        )
        #expect(harness.machine.nextDelivery(now: harness.at(25)) == .none)
        _ = harness.machine.publishAckReceived(
            .init(topicID: short, messageID: 1, returnCode: .accepted),
            now: harness.at(25.1)
        )
        #expect(
            harness.machine.nextDelivery(now: harness.at(25.1))
                == .send(.publish(.text("two", qos: .atMostOnce, topicID: short, type: .shortName)))
        )
        #expect(harness.machine.nextDelivery(now: harness.at(25.1)) == .send(.pingResponse(.init())))
        #expect(harness.machine.state == .asleep(duration: 20))
    }

    @Test(
        "Keepalive and sleep supervision at 1.5 times the duration",
        arguments: [
            (false, 14.9, ClientSessionAction.none),
            (false, 15.1, ClientSessionAction.lost(.keepAliveExpired)),
            (true, 1 + 29.9, ClientSessionAction.none),
            (true, 1 + 30.1, ClientSessionAction.lost(.sleepExpired)),
        ]
    )
    func supervision(asleep: Bool, seconds: Double, expected: ClientSessionAction) {
        var harness = StateMachineHarness.active(keepAlive: 10)
        if asleep {
            _ = harness.machine.disconnectReceived(.init(duration: 20), now: harness.at(1))
        }
        #expect(harness.machine.tick(now: harness.at(seconds)) == expected)
    }

    @Test("Any message from the client counts as a sign of life")
    func keepAliveRefreshed() {
        var harness = StateMachineHarness.active(keepAlive: 10)
        #expect(harness.machine.pingRequestReceived(.init(), now: harness.at(10)) == .send(.pingResponse(.init())))
        #expect(harness.machine.tick(now: harness.at(24)) == .none)
        #expect(harness.machine.tick(now: harness.at(25.1)) == .lost(.keepAliveExpired))
    }

    @Test("DISCONNECT without duration closes gracefully")
    func disconnect() {
        var harness = StateMachineHarness.active()
        #expect(harness.machine.disconnectReceived(.init(), now: harness.at(1)) == .closeGracefully)
        #expect(harness.machine.state == .closed)
    }
}
