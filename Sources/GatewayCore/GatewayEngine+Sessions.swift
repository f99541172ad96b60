import Logging
import MQTTSN
import MQTTSNTransport
import NIOCore

extension GatewayEngine {
    /// CONNECT: continue a session (resume, or reconnect a kept one), answer a repeated CONNECT by its exchange's
    /// outcome, or start a new session.
    func connectReceived(
        _ connect: MQTTSNConnect,
        from address: MQTTSNClientAddress,
        via transport: any MQTTSNTransport,
        now: NIODeadline
    ) {
        var connect = connect
        connect.duration = self.supervisedKeepAlive(connect.duration)
        if let refusal = self.admissionRefusal(for: connect, from: address, via: transport, now: now) {
            self.refuse(clientID: connect.clientID, refusal, address: address, via: transport, now: now)
            return
        }
        if let existing = self.sessions[connect.clientID] {
            if existing.machine.isConnecting, existing.address == address, existing.machine.isRepeat(of: connect) {
                // The first CONNECT waits for the broker; its outcome answers this one too, once.
                self.perform(existing.machine.connectRepeated(now: now), for: existing)
                return
            }
            if existing.machine.resumes(with: connect) {
                // Same client, maybe from a new address: resume, keeping topic ids, subscriptions and buffer.
                existing.messagesIn += 1
                self.rebind(existing, to: address, via: transport)
                self.perform(existing.machine.resume(connect, now: now), for: existing)
                self.deliverPending(to: existing, now: now)
                return
            }
            if existing.machine.reconnects(with: connect) {
                // A new will for a kept session: the upstream session closes gracefully and is opened again.
                existing.messagesIn += 1
                self.rebind(existing, to: address, via: transport)
                self.closeUpstreamGracefully(of: existing)
                existing.upstream = nil
                self.perform(existing.machine.reconnect(connect, now: now), for: existing)
                return
            }
            // A fresh session replaces the old one; the old upstream session leaves without its will, because the
            // client is evidently alive.
            self.logger.debug(
                "Client reconnected, replacing its session",
                metadata: ["client.id": "\(connect.clientID)"]
            )
            self.closeUpstreamGracefully(of: existing)
            existing.machine.state = .closed
            self.removeSession(existing, reason: "replaced")
        }
        if let kept = self.keptSessions[connect.clientID] {
            self.keptSessions.removeValue(forKey: connect.clientID)
            if kept.machine.reconnects(with: connect), self.admits(connect, from: address, via: transport, now: now) {
                // Clean session off: topic ids, subscriptions, will, queue and QoS 2 state carry on.
                kept.messagesIn += 1
                self.readmitted(kept, from: address, now: now)
                self.sessions[connect.clientID] = kept
                self.sessionOrder = nil
                self.rebind(kept, to: address, via: transport, force: true)
                self.metrics.clientsConnected(self.sessions.count)
                self.logger.debug(
                    "Client reconnecting to its kept session",
                    metadata: ["client.id": "\(connect.clientID)", "peer.address": "\(address)"]
                )
                self.perform(kept.machine.reconnect(connect, now: now), for: kept)
                return
            }
        }
        guard self.admits(connect, from: address, via: transport, now: now) else {
            return
        }
        let machine = ClientSessionStateMachine(
            connect: connect,
            settings: self.settings,
            predefinedTopics: self.clientPredefinedTopics[connect.clientID] ?? self.globalPredefinedTopics,
            now: now,
            firstTopicID: self.takeFirstTopicID(for: connect.clientID)
        )
        let session = ClientSession(machine: machine, address: address, transport: transport)
        session.messagesIn = 1
        self.refreshMaximumPacketSize(of: session)
        self.admitted(session, now: now)
        self.sessions[connect.clientID] = session
        self.sessionOrder = nil
        self.rebind(session, to: address, via: transport, force: true)
        self.metrics.clientsConnected(self.sessions.count)
        self.logger.debug(
            "Client connecting",
            metadata: [
                "client.id": "\(connect.clientID)", "peer.address": "\(address)",
                "client.keepalive": "\(connect.duration)",
            ]
        )
        self.perform(session.machine.start(), for: session)
    }

    /// Whether a new session may start: not while shutting down, not beyond `gateway.max_clients`, not beyond the
    /// limits of its source prefix (`gateway.source_limits`). A refusal is answered with CONNACK "congestion".
    private func admits(
        _ connect: MQTTSNConnect,
        from address: MQTTSNClientAddress,
        via transport: any MQTTSNTransport,
        now: NIODeadline
    ) -> Bool {
        guard !self.isShuttingDown else {
            self.metrics.rejectedConnection("shutting_down")
            self.send(.connectAck(MQTTSNConnectAck(returnCode: .rejectedCongestion)), to: address, via: transport)
            return false
        }
        guard self.sessions.count < self.configuration.maxClients else {
            self.metrics.rejectedConnection("congestion")
            self.logger.notice(
                "Client refused: maximum number of clients reached",
                metadata: [
                    "client.id": "\(connect.clientID)", "peer.address": "\(address)",
                    "gateway.max_clients": "\(self.configuration.maxClients)",
                ]
            )
            self.send(.connectAck(MQTTSNConnectAck(returnCode: .rejectedCongestion)), to: address, via: transport)
            return false
        }
        if let refusal = self.sourceLimitRefusal(from: address, now: now) {
            self.refuse(clientID: connect.clientID, refusal, address: address, via: transport, now: now)
            return false
        }
        return true
    }

    /// Performs what the state machine asked for.
    func perform(_ action: ClientSessionAction, for session: ClientSession) {
        defer {
            self.reportStateChange(of: session)
            self.sessionMayHaveChanged(session)
            self.updateGauges(of: session)
            self.armTimer(for: session)
        }
        switch action {
        case .none:
            return
        case .send(let packet):
            self.send(packet, to: session)
        case .sendOnceStored(let packet):
            self.sendOnceStored(packet, to: session)
        case .connectUpstream:
            self.connectUpstream(for: session)
        case .publishUpstream(let message, let completion):
            guard let message = self.authorizedUpstream(message, completion: completion, for: session) else { return }
            self.publishUpstream(message, completion: completion, for: session)
        case .bufferForOutage(let message, let completion):
            // Checked and mounted as it is buffered: the outage buffer forwards what it holds as it is.
            guard let message = self.authorizedUpstream(message, completion: completion, for: session) else { return }
            self.bufferForOutage(message, completion: completion, for: session)
        case .subscribeUpstream(let topicFilter, let qos, let messageID, let topicID):
            guard let upstreamFilter = self.authorizedFilter(topicFilter, messageID: messageID, for: session) else {
                return
            }
            self.subscribeUpstream(
                topicFilter: topicFilter,
                upstreamFilter: upstreamFilter,
                qos: qos,
                messageID: messageID,
                topicID: topicID,
                for: session
            )
        case .unsubscribeUpstream(let topicFilter, let messageID):
            self.unsubscribeUpstream(
                topicFilter: self.mounted(topicFilter, for: session),
                messageID: messageID,
                for: session
            )
        case .closeGracefully:
            self.logger.info(
                "Client disconnected",
                metadata: ["client.id": "\(session.clientID)", "peer.address": "\(session.address)"]
            )
            self.send(.disconnect(MQTTSNDisconnect()), to: session)
            self.closeUpstreamGracefully(of: session)
            self.endSession(session, reason: "disconnected")
        case .rejectConnection(let returnCode):
            self.metrics.rejectedConnection("upstream_refused")
            self.send(.connectAck(MQTTSNConnectAck(returnCode: returnCode)), to: session)
            session.upstream?.closeAbruptly().whenComplete { _ in }
            self.removeSession(session, reason: "refused")
        case .refuseReconnect(let returnCode):
            self.metrics.rejectedConnection("upstream_refused")
            self.send(.connectAck(MQTTSNConnectAck(returnCode: returnCode)), to: session)
            session.upstream?.closeAbruptly().whenComplete { _ in }
            self.endSession(session, reason: "refused")
        case .lost(let reason):
            self.sessionLost(session, reason: reason)
        case .dropped(let reason):
            self.dropped(reason, for: session)
        case .acknowledgeUpstream(let acknowledgement):
            if let upstream = session.upstream {
                upstream.acknowledge(acknowledgement)
                self.markForFlush(upstream)
            }
        case .reestablishUpstream:
            self.reestablishUpstream(for: session)
        case .restoreUpstream(let subscriptions, let response):
            self.restoreUpstream(subscriptions: subscriptions, thenSend: response, for: session)
        case .deliveryDropped(let message, let reason, let size):
            self.deliveryDropped(message, reason: reason, size: size, for: session)
        case .refuse(let refusal, let endsSession):
            self.performRefusal(refusal, endsSession: endsSession, for: session)
        }
    }

    /// Sends whatever the delivery window allows, and the upstream acknowledgements that are due.
    func deliverPending(to session: ClientSession, now: NIODeadline) {
        guard self.sessions[session.clientID] === session else {
            return
        }
        while true {
            let action = session.machine.nextDelivery(now: now)
            if case .none = action {
                return
            }
            self.perform(action, for: session)
        }
    }

    func sessionLost(_ session: ClientSession, reason: ClientLossReason) {
        self.metrics.clientLost()
        self.logger.info(
            "Client lost",
            metadata: [
                "client.id": "\(session.clientID)", "peer.address": "\(session.address)",
                "client.loss_reason": "\(reason.rawValue)",
            ]
        )
        // Tell the device in case it is alive but deaf to us: it will reconnect.
        self.send(.disconnect(MQTTSNDisconnect()), to: session)
        // No DISCONNECT upstream: the broker publishes the will, which is what a will is for.
        session.upstream?.closeAbruptly().whenComplete { _ in }
        self.recentlyLost.append(session.snapshot(state: .lost))
        if self.recentlyLost.count > Self.recentlyLostLimit {
            self.recentlyLost.removeFirst()
        }
        if session.machine.state != .disconnected {
            session.machine.state = .closed
        }
        self.endSession(session, reason: reason.rawValue)
    }

    /// The client left or was lost: a clean-session-off session is kept for its next CONNECT (without address or
    /// upstream connection), any other is forgotten.
    /// `reason` is what the session-ended event reports (``GatewaySessionEvent``).
    func endSession(_ session: ClientSession, reason: String) {
        guard session.machine.state == .disconnected else {
            self.removeSession(session, reason: reason)
            return
        }
        guard self.sessions[session.clientID] === session else {
            return
        }
        self.removeSession(session, reason: reason)
        self.keep(session)
    }

    /// Keeps a disconnected session, at most `gateway.max_clients` of them: beyond, the one kept longest goes.
    func keep(_ session: ClientSession) {
        self.keptSessions[session.clientID] = session
        self.keptOrder.append(session.clientID)
        while self.keptSessions.count > self.configuration.maxClients, let oldest = self.keptOrder.popFirst() {
            if let evicted = self.keptSessions.removeValue(forKey: oldest) {
                self.storedSessionChanged(evicted.clientID)
                self.metrics.dropped("kept_session_evicted")
                self.logger.notice(
                    "Kept session forgotten: too many kept sessions",
                    metadata: [
                        "client.id": "\(evicted.clientID)",
                        "gateway.max_clients": "\(self.configuration.maxClients)",
                    ]
                )
            }
        }
        if self.keptOrder.count > 2 * self.keptSessions.count + 16 {
            // Ids of sessions taken back or replaced linger in the order; drop them now and then.
            self.keptOrder = CircularBuffer(self.keptOrder.filter { self.keptSessions[$0] != nil })
        }
    }

    /// `reason` is what the session-ended event reports (``GatewaySessionEvent``).
    func removeSession(_ session: ClientSession, reason: String = "disconnected") {
        guard self.sessions[session.clientID] === session else {
            return
        }
        self.sessions.removeValue(forKey: session.clientID)
        self.sessionOrder = nil
        self.updateGauges(of: session)
        self.sessionEnded(session, reason: reason)
        self.released(session)
        // The upstream session's callbacks refer to the session; letting go of it here breaks that cycle.
        session.upstream = nil
        if self.clientIDsByAddress[session.address] == session.clientID {
            self.clientIDsByAddress.removeValue(forKey: session.address)
        }
        self.metrics.clientsConnected(self.sessions.count)
    }

    func isCurrent(_ session: ClientSession) -> Bool {
        self.sessions[session.clientID] === session
    }

    /// Counts a drop; a downlink message dropped for lack of room is also logged, at most once per second.
    func dropped(_ reason: ClientDropReason, for session: ClientSession) {
        self.metrics.dropped(reason.rawValue)
        switch reason {
        case .queueFull, .downlinkQueueFull, .topicLimit, .registrationRefused, .refusedByClient:
            guard self.downlinkDropWarnings.admit() else { return }
            self.logger.notice(
                "Broker message for a client dropped",
                metadata: [
                    "client.id": "\(session.clientID)", "drop.reason": "\(reason.rawValue)",
                    "drop.suppressed": "\(self.downlinkDropWarnings.suppressed)",
                    "gateway.downlink_queue": "\(self.configuration.downlinkQueueSize)",
                ]
            )
            self.downlinkDropWarnings.resetSuppressed()
        case .rateLimited, .duplicate, .upstreamCongested, .unexpected, .upstreamDown, .repeatedConnect:
            return
        case .accessDenied, .unconfirmedBudget, .searchGatewayRateLimited:
            // Logged, throttled, where they are decided (GatewayEngine+Admission.swift, +Discovery.swift).
            return
        }
    }
}
