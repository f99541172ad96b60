import MQTTSN
import NIOCore

extension ClientSessionStateMachine {
    /// WILLTOPIC during the connect exchange. An empty WILLTOPIC means "no will after all"; one with wildcards is
    /// refused (CONNACK 0x03). A repeated WILLTOPIC while WILLMSG is due replaces the first (its WILLMSGREQ may
    /// have been lost).
    mutating func willTopicReceived(_ willTopic: MQTTSNWillTopic, now: NIODeadline) -> ClientSessionAction {
        guard self.isInWillExchange else {
            return .dropped(.unexpected)
        }
        self.lastHeard = now
        guard let will = willTopic.will else {
            self.will = nil
            return self.connectUpstream()
        }
        guard Self.isValidTopicName(will.topicName) else {
            return self.willTopicRefused(.willTopicInvalid, now: now)
        }
        self.state = .awaitingWillMessage(will)
        return .send(.willMessageRequest(MQTTSNWillMessageRequest()))
    }

    /// WILLMSG during the connect exchange: the will is complete, the upstream session can be opened.
    mutating func willMessageReceived(_ willMessage: MQTTSNWillMessage, now: NIODeadline) -> ClientSessionAction {
        guard case .awaitingWillMessage(let willTopic) = self.state else {
            return .dropped(.unexpected)
        }
        self.lastHeard = now
        self.will = UpstreamMessage(
            topic: willTopic.topicName,
            payload: willMessage.message,
            qos: UpstreamQoS(willTopic.qos),
            retain: willTopic.retain
        )
        return self.connectUpstream()
    }

    private mutating func connectUpstream() -> ClientSessionAction {
        self.state = .connectingUpstream
        self.upstream = .connecting
        return .connectUpstream
    }

    /// The upstream session is up. After the first CONNECT only now does the client get its CONNACK; after a
    /// re-establishment, a reconnect or a restore the subscriptions are restored (unless the broker kept them) and
    /// a will update answered.
    mutating func upstreamConnected(now: NIODeadline, sessionPresent: Bool = false) -> ClientSessionAction {
        let response: MQTTSNPacket?
        switch self.upstream {
        case .up:
            return .none
        case .reestablishing(let pending):
            response = pending
        case .down(_, _, let pending), .reconnecting(_, let pending):
            response = pending
        case .idle, .connecting:
            if self.state == .connectingUpstream {
                self.upstream = .up
                self.state = .active
                self.isReconnecting = false
                self.lastHeard = now
                let accepted = MQTTSNPacket.connectAck(MQTTSNConnectAck(returnCode: .accepted))
                // A kept session continued while the broker no longer has its subscriptions (it lost its session,
                // or it never held them: aggregating mode's shared sessions): subscribe them again, then CONNACK.
                guard sessionPresent || self.subscriptions.isEmpty else {
                    return .restoreUpstream(subscriptions: self.subscriptions, thenSend: accepted)
                }
                return .send(accepted)
            }
            guard self.isEstablished else {
                return .none
            }
            response = nil
        }
        self.upstream = .up
        return .restoreUpstream(subscriptions: sessionPresent ? [:] : self.subscriptions, thenSend: response)
    }

    /// The broker refused the session or could not be reached.
    ///
    /// For the client's CONNECT it gets that CONNACK; a new session is forgotten, a kept one (clean session off)
    /// waits again. For an established session the gateway tries again with backoff.
    mutating func upstreamConnectFailed(_ returnCode: MQTTSNReturnCode, now: NIODeadline) -> ClientSessionAction {
        let attempt: Int
        let response: MQTTSNPacket?
        switch self.upstream {
        case .reestablishing(let pending):
            attempt = 1
            response = pending
        case .reconnecting(let previous, let pending):
            attempt = previous + 1
            response = pending
        case .up, .down:
            return .none
        case .idle, .connecting:
            if self.state == .connectingUpstream {
                if self.isReconnecting {
                    self.state = .disconnected
                    self.upstream = .idle
                    return .refuseReconnect(returnCode)
                }
                self.state = .closed
                return .rejectConnection(returnCode)
            }
            guard self.isEstablished else {
                return .none
            }
            attempt = 1
            response = nil
        }
        guard self.isEstablished else {
            return .none
        }
        self.upstream = .down(
            retryAt: now + self.reconnectDelay(attempt: attempt),
            attempt: attempt,
            thenSend: response
        )
        return .none
    }

    /// The upstream connection dropped without this side closing it. The client's session stays: its upstream
    /// session reconnects on its own, and QoS 1/2 publishes meanwhile get "congestion" at once.
    mutating func upstreamLost(now: NIODeadline) -> ClientSessionAction {
        switch self.upstream {
        case .up:
            self.upstream = .down(retryAt: nil, attempt: 0, thenSend: nil)
        case .reestablishing(let response):
            self.upstream = .down(retryAt: now + self.reconnectDelay(attempt: 1), attempt: 1, thenSend: response)
        case .idle, .connecting, .down, .reconnecting:
            break
        }
        return .none
    }

    /// Exponential backoff without jitter: the tick spreads retries over its interval anyway.
    func reconnectDelay(attempt: Int) -> TimeAmount {
        let maximum = self.settings.reconnectMaximumDelay
        var delay = min(self.settings.reconnectInitialDelay, maximum)
        var doublings = attempt - 1
        while doublings > 0, delay < maximum {
            delay = min(maximum, delay + delay)
            doublings -= 1
        }
        return delay
    }

    /// Whether `connect` repeats the CONNECT whose exchange is still going on (the client did not get an answer
    /// in time): it is answered by that exchange's outcome, once.
    func isRepeat(of connect: MQTTSNConnect) -> Bool {
        self.isConnecting && connect.cleanSession == self.cleanSession && connect.duration == self.keepAlive
    }

    /// A repeated CONNECT during the connect exchange: the WILLTOPICREQ may have been lost, so it goes again; the
    /// CONNACK comes when the broker answered.
    mutating func connectRepeated(now: NIODeadline) -> ClientSessionAction {
        self.lastHeard = now
        switch self.state {
        case .awaitingWillTopic:
            return .send(.willTopicRequest(MQTTSNWillTopicRequest()))
        default:
            return .dropped(.repeatedConnect)
        }
    }

    /// Whether `connect` continues this session rather than starting a new one.
    ///
    /// A sleeping (or awake) client's CONNECT only says "I am active again" (specification section 6.14, figure 4:
    /// asleep/awake --CONNECT--> active): the session, its upstream MQTT connection and its buffer stay, whatever
    /// the clean session flag says. An active client's CONNECT continues the session only with clean session off
    /// (e.g. after its NAT mapping changed). A CONNECT asking for a will goes through ``reconnect(_:now:)``.
    func resumes(with connect: MQTTSNConnect) -> Bool {
        guard self.isEstablished, !connect.will else {
            return false
        }
        return !connect.cleanSession || self.sleepDuration != nil
    }

    /// Continues the session for a CONNECT that ``resumes(with:)``: topic ids, subscriptions and buffered messages
    /// survive, and buffered messages are delivered right after the CONNACK.
    mutating func resume(_ connect: MQTTSNConnect, now: NIODeadline) -> ClientSessionAction {
        guard self.resumes(with: connect) else {
            return .dropped(.unexpected)
        }
        self.state = .active
        self.keepAlive = connect.duration
        self.lastHeard = now
        return .send(.connectAck(MQTTSNConnectAck(returnCode: .accepted)))
    }

    /// Whether a clean-session-off `connect` continues this kept session through a new connect exchange (it is
    /// disconnected, or it asks for a new will): topic ids, subscriptions, will, queue and QoS 2 state stay.
    func reconnects(with connect: MQTTSNConnect) -> Bool {
        !connect.cleanSession && (self.state == .disconnected || (self.isEstablished && connect.will))
    }

    /// Starts the connect exchange again for a CONNECT that ``reconnects(with:)``. A CONNECT without the will
    /// flag keeps the stored will (section 6.3); with it, the client sends a new one. The gateway closes the
    /// upstream session gracefully first if it is open. An unacknowledged delivery goes again once connected.
    mutating func reconnect(_ connect: MQTTSNConnect, now: NIODeadline) -> ClientSessionAction {
        guard self.reconnects(with: connect) else {
            return .dropped(.unexpected)
        }
        self.keepAlive = connect.duration
        self.lastHeard = now
        self.isReconnecting = true
        self.upstream = .idle
        if var inFlight = self.inFlight {
            // Retransmitted (PUBLISH with DUP, or PUBREL) right after the CONNACK.
            inFlight.retransmissions = 0
            inFlight.deadline = now
            self.inFlight = inFlight
        }
        if connect.will {
            self.state = .awaitingWillTopic
            return .send(.willTopicRequest(MQTTSNWillTopicRequest()))
        }
        return self.connectUpstream()
    }

    /// WILLTOPICUPD: an empty one removes the will. MQTT cannot change a will on a live connection, so the upstream
    /// session is re-established (``ClientSessionAction/reestablishUpstream``) and the client answered once it is up.
    mutating func willTopicUpdateReceived(_ update: MQTTSNWillTopicUpdate, now: NIODeadline) -> ClientSessionAction {
        guard self.isEstablished else {
            return .dropped(.unexpected)
        }
        self.lastHeard = now
        let response = MQTTSNPacket.willTopicResponse(MQTTSNWillTopicResponse(returnCode: .accepted))
        guard let will = update.will else {
            self.will = nil
            return self.reestablishUpstream(thenSend: response)
        }
        guard Self.isValidTopicName(will.topicName) else {
            return .send(.willTopicResponse(MQTTSNWillTopicResponse(returnCode: .rejectedNotSupported)))
        }
        let payload = self.will?.payload ?? ByteBuffer()
        self.will = UpstreamMessage(
            topic: will.topicName,
            payload: payload,
            qos: UpstreamQoS(will.qos),
            retain: will.retain
        )
        return self.reestablishUpstream(thenSend: response)
    }

    /// WILLMSGUPD: a new will payload for the current will topic.
    mutating func willMessageUpdateReceived(_ update: MQTTSNWillMessageUpdate, now: NIODeadline) -> ClientSessionAction
    {
        guard self.isEstablished else {
            return .dropped(.unexpected)
        }
        self.lastHeard = now
        guard self.will != nil else {
            // There is no will topic to attach the message to.
            return .send(.willMessageResponse(MQTTSNWillMessageResponse(returnCode: .rejectedNotSupported)))
        }
        self.will?.payload = update.message
        return self.reestablishUpstream(
            thenSend: .willMessageResponse(MQTTSNWillMessageResponse(returnCode: .accepted))
        )
    }

    private mutating func reestablishUpstream(thenSend response: MQTTSNPacket) -> ClientSessionAction {
        self.upstream = .reestablishing(response: response)
        return .reestablishUpstream
    }

    /// Whether a name can be published to upstream: not empty, no wildcards, no NUL.
    static func isValidTopicName(_ name: String) -> Bool {
        !name.isEmpty && !name.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "#") || $0 == 0 })
    }
}
