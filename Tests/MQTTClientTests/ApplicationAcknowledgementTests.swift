import NIOCore
import Testing

@testable import MQTTClient

/// Deliveries the application acknowledges itself, and partition detection, driven without a channel.
@Suite("Application acknowledgement and partition detection")
struct ApplicationAcknowledgementTests {
    func makeMachine(
        cleanSession: Bool = false,
        keepAlive: TimeAmount = .seconds(60),
        partitionTimeout: TimeAmount? = nil
    ) -> MQTTConnectionStateMachine {
        var configuration = MQTTClientConfiguration(host: "localhost", clientID: "ack")
        configuration.cleanSession = cleanSession
        configuration.keepAlive = keepAlive
        configuration.partitionTimeout = partitionTimeout
        configuration.reconnect = MQTTReconnectPolicy()
        var machine = MQTTConnectionStateMachine(settings: .init(configuration, acknowledgesManually: true))
        _ = machine.connect()
        _ = machine.channelActive()
        _ = machine.connAckReceived(MQTTConnAckPacket(sessionPresent: false, returnCode: 0))
        return machine
    }

    func publish(_ qos: MQTTQoS, id: UInt16, duplicate: Bool = false) -> MQTTPacket {
        .publish(
            MQTTPublishPacket(
                message: MQTTMessage(topic: "cmd", payload: "x", qos: qos),
                packetID: id,
                duplicate: duplicate
            )
        )
    }

    func delivered(_ action: MQTTConnectionStateMachine.InboundAction) -> MQTTInboundAcknowledgement? {
        if case .deliverAwaitingAcknowledgement(_, let acknowledgement) = action { return acknowledgement }
        return nil
    }

    @Test("QoS 1: no PUBACK until the application acknowledges; a redelivery meanwhile is not handed over again")
    func qos1() throws {
        var machine = makeMachine()
        let acknowledgement = try #require(delivered(machine.packetReceived(publish(.atLeastOnce, id: 4))))
        guard case .none = machine.packetReceived(publish(.atLeastOnce, id: 4, duplicate: true)) else {
            Issue.record("a redelivery must wait for the same acknowledgement")
            return
        }
        #expect(machine.acknowledge(acknowledgement) == .puback(MQTTPublishResponsePacket(packetID: 4)))
        #expect(machine.acknowledge(acknowledgement) == nil, "acknowledged once")
    }

    @Test("QoS 2: PUBREC only on the application's acknowledgement, then the usual release")
    func qos2() throws {
        var machine = makeMachine()
        let acknowledgement = try #require(delivered(machine.packetReceived(publish(.exactlyOnce, id: 9))))
        #expect(machine.acknowledge(acknowledgement) == .pubrec(MQTTPublishResponsePacket(packetID: 9)))
        guard case .send(.pubrec) = machine.packetReceived(publish(.exactlyOnce, id: 9, duplicate: true)) else {
            Issue.record("a redelivery after PUBREC is answered, not delivered")
            return
        }
        guard case .send(.pubcomp) = machine.packetReceived(.pubrel(MQTTPublishResponsePacket(packetID: 9))) else {
            Issue.record("expected PUBCOMP")
            return
        }
    }

    @Test("Acknowledged while disconnected: sent after a resumed session's CONNACK; a new session ignores it")
    func acknowledgedWhileDisconnected() throws {
        var resumed = makeMachine()
        let acknowledgement = try #require(delivered(resumed.packetReceived(publish(.atLeastOnce, id: 5))))
        _ = resumed.connectionClosed(error: .connectionClosed)
        #expect(resumed.acknowledge(acknowledgement) == nil)
        _ = resumed.reconnectTimerFired()
        _ = resumed.channelActive()
        guard
            case .accepted(_, let packets, _) = resumed.connAckReceived(
                MQTTConnAckPacket(sessionPresent: true, returnCode: 0)
            )
        else {
            Issue.record("expected accepted")
            return
        }
        #expect(packets == [.puback(MQTTPublishResponsePacket(packetID: 5))])

        var fresh = makeMachine()
        let stale = try #require(delivered(fresh.packetReceived(publish(.atLeastOnce, id: 6))))
        _ = fresh.connectionClosed(error: .connectionClosed)
        _ = fresh.reconnectTimerFired()
        _ = fresh.channelActive()
        guard
            case .accepted(_, let none, _) = fresh.connAckReceived(
                MQTTConnAckPacket(sessionPresent: false, returnCode: 0)
            )
        else {
            Issue.record("expected accepted")
            return
        }
        #expect(none.isEmpty)
        #expect(fresh.acknowledge(stale) == nil, "packet id 6 means nothing in the new session")
        // The new session's delivery with the same id is a new message.
        #expect(delivered(fresh.packetReceived(publish(.atLeastOnce, id: 6))) != nil)
    }

    @Test("Partition: silence from the broker is detected within the timeout even while we keep sending")
    func partition() {
        var machine = makeMachine(keepAlive: .seconds(60), partitionTimeout: .seconds(15))
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)
        machine.packetReceived(at: start)
        #expect(machine.keepAliveCheckInterval == .milliseconds(2500))
        var now = start
        var pinged: NIODeadline?
        var dead: NIODeadline?
        while dead == nil, now < start + .seconds(60) {
            now = now + .milliseconds(2500)
            // Publishes keep going out, unanswered.
            machine.packetSent(at: now)
            switch machine.keepAliveTimerFired(now: now) {
            case .sendPingReq: pinged = pinged ?? now
            case .closeDeadConnection: dead = now
            case .none: break
            }
        }
        #expect(pinged == start + .seconds(5))
        #expect(dead.map { $0 - start <= .seconds(15) } == true)
        // Traffic from the broker keeps a healthy connection open.
        var healthy = makeMachine(keepAlive: .seconds(60), partitionTimeout: .seconds(15))
        for step in 1...40 {
            let at = start + .milliseconds(Int64(step) * 2500)
            healthy.packetReceived(at: at)
            #expect(healthy.keepAliveTimerFired(now: at) != .closeDeadConnection)
        }
    }
}
