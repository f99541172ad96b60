import NIOCore
import NIOEmbedded
import Testing

@testable import MQTTClient

/// Table tests of the connection logic, driven without a channel.
@Suite("Connection state machine")
struct StateMachineTests {
    let loop = EmbeddedEventLoop()

    func makeMachine(
        version: MQTTProtocolVersion = .v5,
        cleanSession: Bool = true,
        maximumInFlight: Int = 10,
        keepAlive: TimeAmount = .seconds(10),
        reconnect: MQTTReconnectPolicy? = nil
    ) -> MQTTConnectionStateMachine {
        var configuration = MQTTClientConfiguration(host: "localhost", protocolVersion: version, clientID: "sm")
        configuration.cleanSession = cleanSession
        configuration.maximumInFlight = maximumInFlight
        configuration.keepAlive = keepAlive
        configuration.reconnect = reconnect
        return MQTTConnectionStateMachine(settings: .init(configuration))
    }

    /// Drives a machine to `connected`.
    func connect(
        _ machine: inout MQTTConnectionStateMachine,
        sessionPresent: Bool = false,
        properties: MQTTProperties = []
    ) -> MQTTConnectionStateMachine.ConnAckAction {
        if machine.state == .idle { _ = machine.connect() }
        _ = machine.channelActive()
        return machine.connAckReceived(
            MQTTConnAckPacket(sessionPresent: sessionPresent, returnCode: 0, properties: properties)
        )
    }

    func qos(_ qos: MQTTQoS, _ topic: String = "t") -> MQTTMessage {
        MQTTMessage(topic: topic, payload: "x", qos: qos)
    }

    func sentPacketID(_ action: MQTTConnectionStateMachine.PublishAction) -> UInt16? {
        if case .send(let packet, _) = action { return packet.packetID }
        return nil
    }

    @Test("connect, CONNECT on channel active, connected on CONNACK")
    func connectSequence() {
        var machine = makeMachine()
        guard case .openConnection = machine.connect() else {
            Issue.record("expected openConnection")
            return
        }
        #expect(machine.state == .connecting(attempt: 0))
        guard case .fail(let error) = machine.connect() else {
            Issue.record("a second connect must fail")
            return
        }
        #expect(error == .alreadyConnected)
        guard case .sendConnect = machine.channelActive() else {
            Issue.record("expected sendConnect")
            return
        }
        #expect(machine.state == .awaitingConnAck(attempt: 0))
        guard
            case .accepted(let result, let packets, _) = machine.connAckReceived(
                MQTTConnAckPacket(sessionPresent: false, returnCode: 0)
            )
        else {
            Issue.record("expected accepted")
            return
        }
        #expect(result.sessionPresent == false)
        #expect(packets.isEmpty)
        #expect(machine.isConnected)
    }

    static let refusals: [(MQTTProtocolVersion, UInt8, MQTTConnectionError)] = [
        (.v3_1_1, 1, .unacceptableProtocolVersion),
        (.v3_1_1, 2, .identifierRejected),
        (.v3_1_1, 3, .serverUnavailable),
        (.v3_1_1, 4, .badUsernameOrPassword),
        (.v3_1_1, 5, .notAuthorized),
        (.v5, 0x84, .unacceptableProtocolVersion),
        (.v5, 0x85, .identifierRejected),
        (.v5, 0x86, .badUsernameOrPassword),
        (.v5, 0x87, .notAuthorized),
        (.v5, 0x88, .serverUnavailable),
        (.v5, 0x89, .serverUnavailable),
        (.v5, 0x8A, .rejected(.banned)),
        (.v5, 0x9F, .rejected(.connectionRateExceeded)),
    ]

    @Test("refused CONNACK maps to its typed error", arguments: refusals)
    func refusal(version: MQTTProtocolVersion, code: UInt8, expected: MQTTConnectionError) {
        var machine = makeMachine(version: version)
        _ = machine.connect()
        _ = machine.channelActive()
        guard
            case .refused(let error) = machine.connAckReceived(
                MQTTConnAckPacket(sessionPresent: false, returnCode: code)
            )
        else {
            Issue.record("expected a refusal")
            return
        }
        #expect(error == expected)
        #expect(error.reasonCode?.rawValue == code)
        // The connection then closes with that error and connect() fails with it.
        let closed = machine.connectionClosed(error: error)
        #expect(closed.failConnect == expected)
        #expect(machine.state == .idle)
    }

    @Test("v5 rejected errors with different reason codes are different")
    func rejectedDistinguishesCodes() {
        #expect(MQTTConnectionError.rejected(.banned) != .rejected(.serverMoved))
    }

    @Test("QoS 1 publish: packet id, PUBACK completes, id is reused only when free")
    func qos1Flow() {
        var machine = makeMachine()
        _ = connect(&machine)
        let first = loop.makePromise(of: Void.self)
        let second = loop.makePromise(of: Void.self)
        #expect(sentPacketID(machine.publish(qos(.atLeastOnce), promise: first)) == 1)
        #expect(sentPacketID(machine.publish(qos(.atLeastOnce), promise: second)) == 2)
        guard
            case .completePublish(let promise, let failure, let next, _) = machine.packetReceived(
                .puback(MQTTPublishResponsePacket(packetID: 1))
            )
        else {
            Issue.record("expected completion")
            return
        }
        #expect(promise?.futureResult == first.futureResult)
        #expect(failure == nil)
        #expect(next.isEmpty)
        #expect(machine.inFlight.keys.sorted() == [2])
        // A PUBACK for an unknown id is ignored.
        guard case .none = machine.packetReceived(.puback(MQTTPublishResponsePacket(packetID: 77))) else {
            Issue.record("expected none")
            return
        }
        first.succeed()
        second.succeed()
    }

    @Test("a v5 failure reason in PUBACK fails the publish with that code")
    func pubAckFailure() {
        var machine = makeMachine()
        _ = connect(&machine)
        let promise = loop.makePromise(of: Void.self)
        _ = machine.publish(qos(.atLeastOnce), promise: promise)
        guard
            case .completePublish(_, let failure, _, _) = machine.packetReceived(
                .puback(MQTTPublishResponsePacket(packetID: 1, reasonCode: .notAuthorized))
            )
        else {
            Issue.record("expected completion")
            return
        }
        #expect(failure == .rejected(.notAuthorized))
        #expect(failure?.reasonCode == .notAuthorized)
        promise.succeed()
    }

    @Test("QoS 2 publish: PUBREC answered with PUBREL, PUBCOMP completes")
    func qos2Flow() {
        var machine = makeMachine()
        _ = connect(&machine)
        let promise = loop.makePromise(of: Void.self)
        #expect(sentPacketID(machine.publish(qos(.exactlyOnce), promise: promise)) == 1)
        guard case .send(.pubrel(let pubrel)) = machine.packetReceived(.pubrec(MQTTPublishResponsePacket(packetID: 1)))
        else {
            Issue.record("expected PUBREL")
            return
        }
        #expect(pubrel.packetID == 1)
        // A PUBACK is not what a QoS 2 publish waits for.
        guard case .none = machine.packetReceived(.puback(MQTTPublishResponsePacket(packetID: 1))) else {
            Issue.record("expected none")
            return
        }
        guard
            case .completePublish(_, nil, _, _) = machine.packetReceived(
                .pubcomp(MQTTPublishResponsePacket(packetID: 1))
            )
        else {
            Issue.record("expected completion")
            return
        }
        #expect(machine.inFlight.isEmpty)
        promise.succeed()
    }

    @Test("publishes beyond the in-flight limit queue and go out as acknowledgements arrive")
    func inFlightLimit() {
        var machine = makeMachine(maximumInFlight: 2)
        _ = connect(&machine)
        var promises: [EventLoopPromise<Void>] = []
        var actions: [MQTTConnectionStateMachine.PublishAction] = []
        for _ in 0..<4 {
            let promise = loop.makePromise(of: Void.self)
            promises.append(promise)
            actions.append(machine.publish(qos(.atLeastOnce), promise: promise))
        }
        #expect(actions.map(sentPacketID) == [1, 2, nil, nil])
        #expect(machine.queued.count == 2)
        guard
            case .completePublish(_, _, let next, _) = machine.packetReceived(
                .puback(MQTTPublishResponsePacket(packetID: 2))
            )
        else {
            Issue.record("expected completion")
            return
        }
        #expect(next.map(\.packetID) == [3])
        #expect(machine.queued.count == 1)
        for promise in promises { promise.succeed() }
    }

    @Test("the broker's Receive Maximum lowers the in-flight limit")
    func receiveMaximum() {
        var machine = makeMachine(maximumInFlight: 10)
        _ = connect(&machine, properties: [.receiveMaximum(1)])
        let promises = (0..<2).map { _ in loop.makePromise(of: Void.self) }
        #expect(sentPacketID(machine.publish(qos(.atLeastOnce), promise: promises[0])) == 1)
        guard case .queued = machine.publish(qos(.atLeastOnce), promise: promises[1]) else {
            Issue.record("expected queued")
            return
        }
        for promise in promises { promise.succeed() }
    }

    @Test("packet identifiers wrap after 65535 and skip identifiers in use")
    func packetIdentifierWrap() {
        var machine = makeMachine(maximumInFlight: 70_000)
        _ = connect(&machine)
        func publish() -> UInt16? {
            sentPacketID(machine.publish(qos(.atLeastOnce), promise: nil))
        }
        #expect(publish() == 1)
        #expect(publish() == 2)
        // Free 2, keep 1 in flight, and use up the rest of the space.
        _ = machine.packetReceived(.puback(MQTTPublishResponsePacket(packetID: 2)))
        for expected in 3...UInt16.max {
            guard publish() == expected else {
                Issue.record("expected \(expected)")
                break
            }
        }
        // Wraps past 0, skips 1 (in flight), takes 2.
        #expect(publish() == 2)
        // Every identifier is now in use: another request cannot get one.
        let subscribe = loop.makePromise(of: [MQTTSubscribeResult].self)
        guard case .fail(let error) = machine.subscribe([MQTTSubscription(topicFilter: "a")], promise: subscribe) else {
            Issue.record("expected exhaustion")
            return
        }
        #expect(error == .packetIdentifiersExhausted)
        subscribe.succeed([])
    }

    @Test("inbound QoS 2 is delivered once even when the broker resends before PUBREL")
    func inboundQoS2Deduplication() {
        var machine = makeMachine()
        _ = connect(&machine)
        let publish = MQTTPublishPacket(message: qos(.exactlyOnce), packetID: 7)
        guard case .deliver(_, .pubrec(let pubrec)?) = machine.packetReceived(.publish(publish)) else {
            Issue.record("expected delivery with PUBREC")
            return
        }
        #expect(pubrec.packetID == 7)
        var duplicate = publish
        duplicate.duplicate = true
        guard case .send(.pubrec) = machine.packetReceived(.publish(duplicate)) else {
            Issue.record("a duplicate must only be acknowledged")
            return
        }
        guard
            case .send(.pubcomp(let pubcomp)) = machine.packetReceived(.pubrel(MQTTPublishResponsePacket(packetID: 7)))
        else {
            Issue.record("expected PUBCOMP")
            return
        }
        #expect(pubcomp.reasonCode == .success)
        // After PUBREL the identifier starts a new message.
        guard case .deliver = machine.packetReceived(.publish(publish)) else {
            Issue.record("expected delivery")
            return
        }
    }

    @Test("inbound QoS 0 and 1", arguments: [MQTTQoS.atMostOnce, .atLeastOnce])
    func inboundLowerQoS(qos level: MQTTQoS) {
        var machine = makeMachine()
        _ = connect(&machine)
        let publish = MQTTPublishPacket(message: qos(level), packetID: level == .atMostOnce ? nil : 3)
        guard case .deliver(let message, let acknowledgement) = machine.packetReceived(.publish(publish)) else {
            Issue.record("expected delivery")
            return
        }
        #expect(message == publish.message)
        #expect(acknowledgement == (level == .atMostOnce ? nil : .puback(MQTTPublishResponsePacket(packetID: 3))))
    }

    @Test("keep alive: PINGREQ when idle, dead after a silent keep alive, any packet counts as an answer")
    func keepAlive() {
        var machine = makeMachine(keepAlive: .seconds(10))
        _ = connect(&machine)
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)
        machine.packetSent(at: start)
        #expect(machine.keepAliveCheckInterval == .seconds(5))
        #expect(machine.keepAliveTimerFired(now: start + .seconds(4)) == .none)
        #expect(machine.keepAliveTimerFired(now: start + .seconds(5)) == .sendPingReq)
        machine.packetSent(at: start + .seconds(5))
        #expect(machine.keepAliveTimerFired(now: start + .seconds(10)) == .none)
        #expect(machine.keepAliveTimerFired(now: start + .seconds(15)) == .closeDeadConnection)
        // Had PINGRESP (or anything) arrived, the next check pings again instead.
        var answered = makeMachine(keepAlive: .seconds(10))
        _ = connect(&answered)
        answered.packetSent(at: start)
        #expect(answered.keepAliveTimerFired(now: start + .seconds(5)) == .sendPingReq)
        answered.packetSent(at: start + .seconds(5))
        _ = answered.packetReceived(.pingresp)
        #expect(answered.keepAliveTimerFired(now: start + .seconds(15)) == .sendPingReq)
    }

    @Test("the broker's Server Keep Alive replaces ours; zero disables keep alive")
    func serverKeepAlive() {
        var machine = makeMachine(keepAlive: .seconds(60))
        _ = connect(&machine, properties: [.serverKeepAlive(4)])
        #expect(machine.keepAliveCheckInterval == .seconds(2))
        var disabled = makeMachine(keepAlive: .seconds(0))
        _ = connect(&disabled)
        #expect(disabled.keepAliveCheckInterval == nil)
        #expect(disabled.keepAliveTimerFired(now: .now() + .hours(1)) == .none)
    }

    @Test("a persistent session resends unacknowledged publishes with DUP, and PUBREL for released ones")
    func resendAfterReconnect() {
        var machine = makeMachine(cleanSession: false, reconnect: MQTTReconnectPolicy())
        _ = connect(&machine)
        let promises = (0..<3).map { _ in loop.makePromise(of: Void.self) }
        _ = machine.publish(qos(.atLeastOnce, "one"), promise: promises[0])
        _ = machine.publish(qos(.exactlyOnce, "two"), promise: promises[1])
        _ = machine.publish(qos(.exactlyOnce, "three"), promise: promises[2])
        _ = machine.packetReceived(.pubrec(MQTTPublishResponsePacket(packetID: 3)))

        let closed = machine.connectionClosed(error: .connectionClosed)
        #expect(closed.reconnectAttempt == 1)
        #expect(closed.failedPublishes.isEmpty)
        #expect(machine.state == .waitingToReconnect(attempt: 1))
        // While reconnecting, QoS 1/2 queue and QoS 0 fails.
        let queued = loop.makePromise(of: Void.self)
        guard case .queued = machine.publish(qos(.atLeastOnce, "four"), promise: queued) else {
            Issue.record("expected queued")
            return
        }
        guard case .fail(.notConnected) = machine.publish(qos(.atMostOnce), promise: nil) else {
            Issue.record("expected notConnected")
            return
        }

        guard case .openConnection = machine.reconnectTimerFired() else {
            Issue.record("expected openConnection")
            return
        }
        guard case .accepted(_, let packets, _) = connect(&machine, sessionPresent: true) else {
            Issue.record("expected accepted")
            return
        }
        #expect(
            packets == [
                .publish(MQTTPublishPacket(message: qos(.atLeastOnce, "one"), packetID: 1, duplicate: true)),
                .publish(MQTTPublishPacket(message: qos(.exactlyOnce, "two"), packetID: 2, duplicate: true)),
                .pubrel(MQTTPublishResponsePacket(packetID: 3)),
                .publish(MQTTPublishPacket(message: qos(.atLeastOnce, "four"), packetID: 4)),
            ]
        )
        for promise in promises + [queued] { promise.succeed() }
    }

    @Test("without a resumed session, unacknowledged publishes go out again as first deliveries")
    func resendWithoutSession() {
        var machine = makeMachine(cleanSession: false, reconnect: MQTTReconnectPolicy())
        _ = connect(&machine)
        let promise = loop.makePromise(of: Void.self)
        _ = machine.publish(qos(.atLeastOnce), promise: promise)
        _ = machine.connectionClosed(error: nil)
        _ = machine.reconnectTimerFired()
        guard case .accepted(_, let packets, _) = connect(&machine, sessionPresent: false) else {
            Issue.record("expected accepted")
            return
        }
        #expect(packets == [.publish(MQTTPublishPacket(message: qos(.atLeastOnce), packetID: 1, duplicate: false))])
        promise.succeed()
    }

    @Test("a clean session fails in-flight publishes when the connection is lost")
    func cleanSessionLoss() {
        var machine = makeMachine(cleanSession: true, reconnect: MQTTReconnectPolicy())
        _ = connect(&machine)
        let promise = loop.makePromise(of: Void.self)
        let subscribe = loop.makePromise(of: [MQTTSubscribeResult].self)
        _ = machine.publish(qos(.atLeastOnce), promise: promise)
        _ = machine.subscribe([MQTTSubscription(topicFilter: "a")], promise: subscribe)
        let closed = machine.connectionClosed(error: .keepAliveTimeout)
        #expect(closed.failedPublishes.map(\.1) == [.connectionLost])
        #expect(closed.failedSubscribes.count == 1)
        #expect(closed.reportDisconnected == .some(.keepAliveTimeout))
        #expect(machine.inFlight.isEmpty)
        promise.succeed()
        subscribe.succeed([])
    }

    @Test("failed reconnect attempts back off until the maximum, then give up")
    func reconnectAttempts() {
        var machine = makeMachine(reconnect: MQTTReconnectPolicy(maximumAttempts: 2))
        _ = connect(&machine)
        #expect(machine.connectionClosed(error: nil).reconnectAttempt == 1)
        _ = machine.reconnectTimerFired()
        #expect(machine.state == .connecting(attempt: 1))
        let second = machine.connectionClosed(error: .connectionRefused)
        #expect(second.reconnectAttempt == 2)
        #expect(second.reportDisconnected == nil)
        _ = machine.reconnectTimerFired()
        let last = machine.connectionClosed(error: .connectionRefused)
        #expect(last.reconnectAttempt == nil)
        #expect(last.reportDisconnected == .some(.reconnectAttemptsExhausted))
        #expect(machine.state == .idle)
    }

    @Test("disconnect from each state")
    func disconnectStates() {
        var idle = makeMachine()
        guard case .none = idle.disconnect(graceful: true) else {
            Issue.record("idle: expected none")
            return
        }

        var connected = makeMachine()
        _ = connect(&connected)
        guard case .sendDisconnectAndClose = connected.disconnect(graceful: true) else {
            Issue.record("expected DISCONNECT")
            return
        }
        let closed = connected.connectionClosed(error: nil)
        #expect(closed.reportDisconnected == .some(nil))
        #expect(closed.reconnectAttempt == nil)

        var abrupt = makeMachine(reconnect: MQTTReconnectPolicy())
        _ = connect(&abrupt)
        guard case .close = abrupt.disconnect(graceful: false) else {
            Issue.record("expected close")
            return
        }
        #expect(abrupt.connectionClosed(error: nil).reconnectAttempt == nil)

        var waiting = makeMachine(reconnect: MQTTReconnectPolicy())
        _ = connect(&waiting)
        _ = waiting.connectionClosed(error: nil)
        guard case .stopReconnecting = waiting.disconnect(graceful: true) else {
            Issue.record("expected stopReconnecting")
            return
        }
        #expect(waiting.state == .idle)
        guard case .none = waiting.reconnectTimerFired() else {
            Issue.record("timer after disconnect must do nothing")
            return
        }
    }

    @Test("a publish over the broker's Maximum Packet Size fails before it is sent")
    func maximumPacketSize() {
        var machine = makeMachine()
        _ = connect(&machine, properties: [.maximumPacketSize(50)])
        let large = MQTTMessage(topic: "t", payload: String(repeating: "x", count: 60), qos: .atLeastOnce)
        guard case .fail(let error) = machine.publish(large, promise: nil) else {
            Issue.record("expected failure")
            return
        }
        #expect(error == .packetTooLarge)
        #expect(machine.inFlight.isEmpty)
        guard case .send = machine.publish(MQTTMessage(topic: "t", payload: "small", qos: .atLeastOnce), promise: nil)
        else {
            Issue.record("a small publish must still go")
            return
        }
    }

    @Test("SUBACK results map to granted QoS or typed rejections")
    func subscribeResults() throws {
        var machine = makeMachine()
        _ = connect(&machine)
        let promise = loop.makePromise(of: [MQTTSubscribeResult].self)
        let subscriptions = [
            MQTTSubscription(topicFilter: "a", qos: .exactlyOnce), MQTTSubscription(topicFilter: "b"),
            MQTTSubscription(topicFilter: "c"),
        ]
        guard case .send(.subscribe(let packet)) = machine.subscribe(subscriptions, promise: promise) else {
            Issue.record("expected SUBSCRIBE")
            return
        }
        let suback = MQTTSubAckPacket(
            packetID: packet.packetID,
            reasonCodes: [.grantedQoS1, .notAuthorized, .topicFilterInvalid]
        )
        guard case .completeSubscribe(_, let results) = machine.packetReceived(.suback(suback)) else {
            Issue.record("expected completion")
            return
        }
        #expect(results == [.granted(.atLeastOnce), .rejected(.notAuthorized), .rejected(.topicFilterInvalid)])
        #expect(try results[0].get() == .atLeastOnce)
        #expect(throws: MQTTSubscriptionError.notAuthorized) { try results[1].get() }
        promise.succeed([])
    }

    @Test("packets before CONNACK are a protocol violation")
    func packetBeforeConnAck() {
        var machine = makeMachine()
        _ = machine.connect()
        _ = machine.channelActive()
        guard case .close(let error) = machine.packetReceived(.pingresp) else {
            Issue.record("expected close")
            return
        }
        #expect(error == .protocolViolation)
    }

    @Test("reconnect delays grow exponentially up to the cap, with jitter only ever shortening them")
    func backoff() {
        let policy = MQTTReconnectPolicy(
            initialDelay: .milliseconds(100),
            maximumDelay: .seconds(1),
            multiplier: 2,
            jitter: 0
        )
        #expect(
            (1...6).map { policy.delay(forAttempt: $0) }
                == [100, 200, 400, 800, 1000, 1000].map { TimeAmount.milliseconds($0) }
        )
        let jittered = MQTTReconnectPolicy(
            initialDelay: .milliseconds(100),
            maximumDelay: .seconds(1),
            multiplier: 2,
            jitter: 0.5
        )
        for attempt in 1...6 {
            let delay = jittered.delay(forAttempt: attempt)
            let full = policy.delay(forAttempt: attempt)
            #expect(delay <= full && delay >= .nanoseconds(full.nanoseconds / 2))
        }
    }
}

extension StateMachineTests {
    @Test("SUBSCRIBE and UNSUBSCRIBE without filters are refused before anything is sent")
    func emptyRequests() {
        var machine = makeMachine()
        _ = connect(&machine)
        let subscribe = loop.makePromise(of: [MQTTSubscribeResult].self)
        let unsubscribe = loop.makePromise(of: Void.self)
        guard case .fail(.noTopicFilters) = machine.subscribe([], promise: subscribe) else {
            Issue.record("expected noTopicFilters")
            return
        }
        guard case .fail(.noTopicFilters) = machine.unsubscribe([], promise: unsubscribe) else {
            Issue.record("expected noTopicFilters")
            return
        }
        subscribe.succeed([])
        unsubscribe.succeed()
    }
}

extension StateMachineTests {
    @Test("the publish queue is bounded", arguments: [false, true])
    func boundedQueue(reconnecting: Bool) {
        var configuration = MQTTClientConfiguration(host: "localhost", protocolVersion: .v5, clientID: "sm")
        configuration.maximumInFlight = 1
        configuration.maximumQueuedPublishes = 2
        configuration.reconnect = MQTTReconnectPolicy()
        var machine = MQTTConnectionStateMachine(settings: .init(configuration))
        _ = connect(&machine)
        if reconnecting { _ = machine.connectionClosed(error: nil) }
        var outcomes: [String] = []
        for _ in 0..<4 {
            switch machine.publish(qos(.atLeastOnce), promise: nil) {
            case .send: outcomes.append("sent")
            case .queued: outcomes.append("queued")
            case .fail(let error): outcomes.append(error == .queueFull ? "full" : "\(error)")
            }
        }
        #expect(
            outcomes == (reconnecting ? ["queued", "queued", "full", "full"] : ["sent", "queued", "queued", "full"])
        )
    }
}
