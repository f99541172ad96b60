import Logging
import MQTTSN
import MQTTSNTransport
import NIOCore

extension GatewayEngine {
    func connectReceived(
        _ connect: MQTTSNConnect,
        from address: MQTTSNClientAddress,
        via transport: any MQTTSNTransport,
        now: NIODeadline
    ) {
        if let existing = self.sessions[connect.clientID] {
            if existing.machine.resumes(with: connect) {
                // Same client, maybe from a new address: resume, keeping topic ids, subscriptions and buffer.
                existing.messagesIn += 1
                self.rebind(existing, to: address, via: transport)
                self.perform(existing.machine.resume(connect, now: now), for: existing)
                self.deliverPending(to: existing, now: now)
                return
            }
            // A fresh session replaces the old one; the old upstream session leaves without its will, because the
            // client is evidently alive.
            self.logger.debug(
                "Client reconnected, replacing its session",
                metadata: ["client.id": "\(connect.clientID)"]
            )
            self.closeUpstreamGracefully(of: existing)
            self.removeSession(existing, reason: "replaced")
        }
        guard !self.isShuttingDown else {
            self.metrics.rejectedConnection("shutting_down")
            self.send(.connectAck(MQTTSNConnectAck(returnCode: .rejectedCongestion)), to: address, via: transport)
            return
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
            return
        }
        let machine = ClientSessionStateMachine(
            connect: connect,
            settings: self.settings,
            predefinedTopics: self.clientPredefinedTopics[connect.clientID] ?? self.globalPredefinedTopics,
            now: now
        )
        let session = ClientSession(machine: machine, address: address, transport: transport)
        session.messagesIn = 1
        self.refreshMaximumPacketSize(of: session)
        self.sessions[connect.clientID] = session
        if let previousOwner = self.clientIDsByAddress[address], previousOwner != connect.clientID,
            let stale = self.sessions[previousOwner]
        {
            // Another client id used this address before (a device re-flashed with a new id, or a reused NAT port).
            // The old session keeps running until it expires, but the address now belongs to the new client.
            self.logger.debug(
                "Address taken over by a new client id",
                metadata: [
                    "peer.address": "\(address)", "client.id": "\(connect.clientID)",
                    "client.previous_id": "\(stale.clientID)",
                ]
            )
        }
        self.clientIDsByAddress[address] = connect.clientID
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

    /// Performs what the state machine asked for.
    func perform(_ action: ClientSessionAction, for session: ClientSession) {
        defer { self.reportStateChange(of: session) }
        switch action {
        case .none:
            return
        case .send(let packet):
            self.send(packet, to: session)
        case .connectUpstream:
            self.connectUpstream(for: session)
        case .publishUpstream(let message, let completion):
            self.publishUpstream(message, completion: completion, for: session)
        case .subscribeUpstream(let topicFilter, let qos, let messageID, let topicID):
            self.subscribeUpstream(
                topicFilter: topicFilter,
                qos: qos,
                messageID: messageID,
                topicID: topicID,
                for: session
            )
        case .unsubscribeUpstream(let topicFilter, let messageID):
            self.unsubscribeUpstream(topicFilter: topicFilter, messageID: messageID, for: session)
        case .closeGracefully:
            self.logger.info(
                "Client disconnected",
                metadata: ["client.id": "\(session.clientID)", "peer.address": "\(session.address)"]
            )
            self.send(.disconnect(MQTTSNDisconnect()), to: session)
            self.closeUpstreamGracefully(of: session)
            self.removeSession(session)
        case .rejectConnection(let returnCode):
            self.metrics.rejectedConnection("upstream_refused")
            self.send(.connectAck(MQTTSNConnectAck(returnCode: returnCode)), to: session)
            session.upstream?.closeAbruptly().whenComplete { _ in }
            self.removeSession(session, reason: "refused")
        case .lost(let reason):
            self.sessionLost(session, reason: reason)
        case .dropped(let reason):
            self.metrics.dropped(reason.rawValue)
        case .reestablishUpstream:
            self.reestablishUpstream(for: session)
        case .restoreUpstream(let subscriptions, let response):
            if let upstream = session.upstream {
                for (filter, qos) in subscriptions.sorted(by: { $0.key < $1.key }) {
                    upstream.subscribe(topicFilter: filter, qos: qos).whenComplete { _ in }
                }
            }
            if let response {
                self.send(response, to: session)
            }
        case .deliveryDropped(let message, let reason, let size):
            self.deliveryDropped(message, reason: reason, size: size, for: session)
        case .refuse(let refusal, let endsSession):
            self.performRefusal(refusal, endsSession: endsSession, for: session)
        }
    }

    /// Sends whatever the delivery window allows.
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
                "loss.reason": "\(reason.rawValue)",
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
        self.removeSession(session, reason: reason.rawValue)
    }

    /// `reason` is what the session-ended event reports (``GatewaySessionEvent``).
    func removeSession(_ session: ClientSession, reason: String = "disconnected") {
        guard self.sessions[session.clientID] === session else {
            return
        }
        self.sessions.removeValue(forKey: session.clientID)
        self.sessionEnded(session, reason: reason)
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

    // MARK: Upstream of client sessions

    /// The device's own client id prefix for a client on a serial device that has one, else empty.
    func devicePrefix(of address: MQTTSNClientAddress) -> String {
        guard case .serial(let device, _) = address else { return "" }
        return self.deviceClientIDPrefixes[device] ?? ""
    }

    func upstreamParameters(for session: ClientSession) -> UpstreamSessionParameters {
        let overrides = self.configuration.clients[session.clientID]
        let username = overrides?.username ?? self.configuration.upstream.username
        let password = overrides?.username != nil ? overrides?.password : self.configuration.upstream.password
        return UpstreamSessionParameters(
            clientID: self.configuration.upstream.clientIDPrefix + self.devicePrefix(of: session.address)
                + session.clientID,
            cleanSession: session.machine.cleanSession,
            keepAlive: session.machine.keepAlive,
            will: session.machine.will,
            username: username,
            password: password,
            reconnects: false
        )
    }

    func makeUpstream(for session: ClientSession) -> any UpstreamSession {
        let clientID = session.clientID
        // Filled in below; lets the loss callback ignore an upstream session that was already replaced.
        let identity = UpstreamIdentity()
        let events = UpstreamSessionEvents(
            message: { [weak self, weak session] message in
                guard let self, let session else { return }
                self.eventLoop.execute {
                    guard self.isCurrent(session) else { return }
                    self.upstreamMessageReceived(message, for: session)
                }
            },
            connectionLost: { [weak self, weak session] in
                guard let self, let session else { return }
                self.eventLoop.execute {
                    guard self.isCurrent(session), let upstream = session.upstream, upstream === identity.session
                    else { return }
                    self.logger.info("Upstream session lost", metadata: ["client.id": "\(clientID)"])
                    self.perform(session.machine.upstreamLost(now: .now()), for: session)
                    self.flushPendingWrites()
                }
            }
        )
        let upstream = self.upstreamFactory.makeSession(
            parameters: self.upstreamParameters(for: session),
            events: events
        )
        identity.session = upstream
        return upstream
    }

    /// Sends DISCONNECT upstream (the broker discards the will) and remembers the closing until it completed, so
    /// that a new upstream session for the same client id connects only afterwards. Otherwise the new CONNECT
    /// could reach the broker first and take the old session over, which makes some brokers publish the old will.
    func closeUpstreamGracefully(of session: ClientSession) {
        guard let upstream = session.upstream else {
            return
        }
        let clientID = session.clientID
        // Bounded: a broker that does not answer must not keep the client from connecting again.
        let promise = self.eventLoop.makePromise(of: Void.self)
        let settled = NIOLoopBoundBox(false, eventLoop: self.eventLoop)
        let timeout = self.eventLoop.scheduleTask(in: Self.upstreamCloseTimeout) {
            if !settled.value {
                settled.value = true
                promise.succeed()
            }
        }
        upstream.disconnect().hop(to: self.eventLoop).whenComplete { _ in
            timeout.cancel()
            if !settled.value {
                settled.value = true
                promise.succeed()
            }
        }
        let closed = promise.futureResult
        self.upstreamClosing[clientID] = closed
        closed.whenComplete { [self] _ in
            if self.upstreamClosing[clientID] === closed {
                self.upstreamClosing.removeValue(forKey: clientID)
            }
        }
    }

    /// Opens the session's upstream connection (after the previous one closed, if one is closing) and reports the
    /// outcome to the state machine.
    private func connectUpstream(for session: ClientSession) {
        let upstream = self.makeUpstream(for: session)
        session.upstream = upstream
        let previousClosed = self.upstreamClosing[session.clientID] ?? self.eventLoop.makeSucceededVoidFuture()
        let started = self.eventLoop.now
        previousClosed.flatMap { upstream.connect().hop(to: self.eventLoop) }.whenComplete { [self] result in
            guard self.isCurrent(session), session.upstream === upstream else {
                // The client went away while we were connecting.
                if case .success = result { upstream.disconnect().whenComplete { _ in } }
                return
            }
            let now = NIODeadline.now()
            switch result {
            case .success:
                self.metrics.upstreamConnected(after: (self.eventLoop.now - started).nanoseconds)
                self.logger.info(
                    "Client connected",
                    metadata: ["client.id": "\(session.clientID)", "peer.address": "\(session.address)"]
                )
                self.perform(session.machine.upstreamConnected(now: now), for: session)
                self.deliverPending(to: session, now: now)
            case .failure(let error):
                let returnCode = (error as? UpstreamConnectError)?.mqttsnReturnCode ?? .rejectedCongestion
                self.logger.notice(
                    "Upstream session refused",
                    metadata: [
                        "client.id": "\(session.clientID)", "error.description": "\(error)",
                        "connack.return_code": "\(returnCode)",
                    ]
                )
                self.perform(session.machine.upstreamConnectFailed(returnCode), for: session)
            }
            self.flushPendingWrites()
        }
    }

    private func publishUpstream(
        _ message: UpstreamMessage,
        completion: UpstreamPublishCompletion,
        for session: ClientSession
    ) {
        guard let upstream = session.upstream else {
            self.perform(session.machine.upstreamPublishCompleted(completion, succeeded: false), for: session)
            return
        }
        guard completion != .none else {
            self.publishUnacknowledged(message, via: upstream, clientID: session.clientID)
            return
        }
        self.metrics.publishedUpstream()
        let published = self.eventLoop.makePromise(of: Void.self)
        let received = self.eventLoop.now
        upstream.publish(message, promise: published)
        self.markForFlush(upstream)
        published.futureResult.whenComplete { [self] result in
            guard self.isCurrent(session) else { return }
            var succeeded = false
            if case .success = result {
                succeeded = true
                self.metrics.uplinkAcknowledged(after: (self.eventLoop.now - received).nanoseconds)
            }
            self.perform(session.machine.upstreamPublishCompleted(completion, succeeded: succeeded), for: session)
            // Acknowledgements arrive in bursts from the broker: send the answers of one event-loop turn together.
            self.flushAtEndOfTurn()
        }
    }

    private func subscribeUpstream(
        topicFilter: String,
        qos: UpstreamQoS,
        messageID: UInt16,
        topicID: UInt16,
        for session: ClientSession
    ) {
        guard let upstream = session.upstream else { return }
        upstream.subscribe(topicFilter: topicFilter, qos: qos).hop(to: self.eventLoop).whenComplete { [self] result in
            guard self.isCurrent(session) else { return }
            let granted = try? result.get()
            self.perform(
                session.machine.subscribeCompleted(
                    topicFilter: topicFilter,
                    messageID: messageID,
                    topicID: topicID,
                    grantedQoS: granted
                ),
                for: session
            )
            // Retained messages may have arrived before the SUBACK went out; deliver them after it.
            self.deliverPending(to: session, now: .now())
            self.flushPendingWrites()
        }
    }

    private func unsubscribeUpstream(topicFilter: String, messageID: UInt16, for session: ClientSession) {
        guard let upstream = session.upstream else { return }
        upstream.unsubscribe(topicFilter: topicFilter).hop(to: self.eventLoop).whenComplete { [self] _ in
            guard self.isCurrent(session) else { return }
            self.send(.unsubscribeAck(MQTTSNUnsubscribeAck(messageID: messageID)), to: session)
            self.flushPendingWrites()
        }
    }

    /// MQTT cannot change the will of a live connection, so a will update closes the upstream session gracefully
    /// (the old will is discarded) and opens it again with the new will; the state machine then restores the
    /// subscriptions. Messages the broker publishes in between are missed when the session is clean; persistent
    /// sessions keep them.
    private func reestablishUpstream(for session: ClientSession) {
        self.closeUpstreamGracefully(of: session)
        self.connectUpstream(for: session)
    }

    func upstreamMessageReceived(_ message: UpstreamMessage, for session: ClientSession) {
        self.metrics.messageFromUpstream()
        // Dropped before it takes a place in the queue; the check in nextDelivery covers a limit that shrank since.
        self.refreshMaximumPacketSize(of: session)
        if let tooLarge = session.machine.dropIfTooLarge(message) {
            self.perform(tooLarge, for: session)
            return
        }
        if session.machine.enqueue(message) {
            self.metrics.dropped(ClientDropReason.queueFull.rawValue)
        }
        self.deliverPending(to: session, now: .now())
        self.flushPendingWrites()
    }
}
