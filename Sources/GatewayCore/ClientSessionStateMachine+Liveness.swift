import MQTTSN
import NIOCore

extension ClientSessionStateMachine {
    /// PINGREQ. From an active client it is a keepalive; from a sleeping client (with its client id) it means
    /// "awake": the gateway delivers what it buffered (``nextDelivery(now:)``) and the final PINGRESP sends the
    /// client back to sleep.
    mutating func pingRequestReceived(_ ping: MQTTSNPingRequest, now: NIODeadline) -> ClientSessionAction {
        self.lastHeard = now
        switch self.state {
        case .active:
            return .send(.pingResponse(MQTTSNPingResponse()))
        case .asleep(let duration):
            self.state = .awake(duration: duration)
            // nextDelivery answers with PINGRESP once the buffer is empty.
            return .none
        case .awake:
            // A repeated PINGREQ while the delivery is still going on: the PINGRESP comes at its end.
            return .none
        case .awaitingWillTopic, .awaitingWillMessage, .connectingUpstream, .disconnected, .closed:
            return .dropped(.unexpected)
        }
    }

    /// DISCONNECT. Without a duration the client leaves (a clean-session-off session is kept for its next
    /// CONNECT); with one it goes to sleep for that many seconds and the gateway buffers messages for it.
    mutating func disconnectReceived(_ disconnect: MQTTSNDisconnect, now: NIODeadline) -> ClientSessionAction {
        self.lastHeard = now
        guard let duration = disconnect.duration, duration > 0, self.isEstablished else {
            self.state = self.isEstablished || self.isReconnecting ? self.endState : .closed
            self.upstream = .idle
            return .closeGracefully
        }
        self.state = .asleep(duration: duration)
        if let inFlight = self.inFlight {
            // Deliver it again after waking up, unless the client already has it (PUBREC received): then only the
            // PUBCOMP is outstanding and the message must not be sent twice.
            if inFlight.stage != .awaitingPublishComplete {
                self.queue.prepend(inFlight.downlink)
            }
            self.inFlight = nil
        }
        return .send(.disconnect(MQTTSNDisconnect()))
    }

    /// The periodic timer: keepalive and sleep supervision, then retransmission.
    mutating func tick(now: NIODeadline) -> ClientSessionAction {
        switch self.state {
        case .awaitingWillTopic, .awaitingWillMessage:
            if now - self.lastHeard > self.settings.connectTimeout {
                self.state = self.isReconnecting ? .disconnected : .closed
                self.upstream = .idle
                return .lost(.connectTimeout)
            }
            return .none
        case .connectingUpstream, .disconnected, .closed:
            return .none
        case .asleep(let duration):
            if now - self.lastHeard > self.graceful(seconds: duration) {
                self.state = self.endState
                self.upstream = .idle
                return .lost(.sleepExpired)
            }
            return self.upstreamRetryDue(now: now)
        case .active, .awake:
            let supervisedSeconds = max(self.sleepDuration ?? 0, self.keepAlive)
            if supervisedSeconds > 0, now - self.lastHeard > self.graceful(seconds: supervisedSeconds) {
                self.state = self.endState
                self.upstream = .idle
                return .lost(.keepAliveExpired)
            }
            let retry = self.upstreamRetryDue(now: now)
            if retry != .none {
                return retry
            }
        }
        guard var inFlight = self.inFlight, now >= inFlight.deadline else {
            return .none
        }
        guard inFlight.retransmissions < self.settings.retryCount else {
            return self.abandonInFlight(inFlight)
        }
        inFlight.retransmissions += 1
        inFlight.deadline = now + self.settings.retryInterval
        if case .publish(var publish) = inFlight.packet {
            publish.dup = true
            inFlight.packet = .publish(publish)
        }
        self.inFlight = inFlight
        return .send(inFlight.packet)
    }

    /// The earliest time ``tick(now:)`` may have something to do (the engine's timer wheel visits the session then),
    /// or `nil` when only an event can change the session. Never later than a deadline ``tick(now:)`` checks; a
    /// visit before one is harmless (it returns ``ClientSessionAction/none``).
    var nextDeadline: NIODeadline? {
        // `tick` acts once a supervision period is exceeded, so one nanosecond after it.
        let exceeded = TimeAmount.nanoseconds(1)
        var retryAt: NIODeadline? = nil
        if case .down(.some(let at), _, _) = self.upstream { retryAt = at }
        switch self.state {
        case .awaitingWillTopic, .awaitingWillMessage:
            return self.lastHeard + self.settings.connectTimeout + exceeded
        case .connectingUpstream, .disconnected, .closed:
            return nil
        case .asleep(let duration):
            return Self.earliest(self.lastHeard + self.graceful(seconds: duration) + exceeded, retryAt)
        case .active, .awake:
            let supervisedSeconds = max(self.sleepDuration ?? 0, self.keepAlive)
            let expiry =
                supervisedSeconds > 0 ? self.lastHeard + self.graceful(seconds: supervisedSeconds) + exceeded : nil
            return Self.earliest(Self.earliest(expiry, retryAt), self.inFlight?.deadline)
        }
    }

    private static func earliest(_ first: NIODeadline?, _ second: NIODeadline?) -> NIODeadline? {
        guard let first else { return second }
        guard let second else { return first }
        return min(first, second)
    }

    /// The gateway's next attempt to open a lost upstream session, when it is due.
    private mutating func upstreamRetryDue(now: NIODeadline) -> ClientSessionAction {
        guard case .down(.some(let retryAt), let attempt, let response) = self.upstream, now >= retryAt else {
            return .none
        }
        self.upstream = .reconnecting(attempt: attempt, thenSend: response)
        return .connectUpstream
    }

    private func graceful(seconds: UInt16) -> TimeAmount {
        .nanoseconds(Int64(Double(seconds) * self.settings.keepAliveGraceFactor * 1_000_000_000))
    }
}
