import Logging
import MQTTSN
import MQTTSNTransport
import NIOCore

extension GatewayEngine {
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
            will: session.machine.will.map { self.mounted($0, for: session) },
            username: username,
            password: password,
            // The client's session outlives a lost connection: the upstream session reconnects with backoff.
            reconnects: true,
            receiveMaximum: self.configuration.downlinkQueueSize,
            mode: self.mode(of: session)
        )
    }

    /// The session of `clientID` in the table if it is incarnation `incarnation` (``ClientSession/incarnation``).
    func current(_ clientID: String, _ incarnation: UInt64) -> ClientSession? {
        guard let session = self.sessions[clientID], session.incarnation == incarnation else { return nil }
        return session
    }

    /// A broker message for the session of `clientID`, if it is still incarnation `incarnation`.
    private func upstreamMessageReceived(
        _ message: UpstreamMessage,
        acknowledgement: UpstreamAcknowledgement?,
        for clientID: String,
        _ incarnation: UInt64
    ) {
        guard let session = self.current(clientID, incarnation) else { return }
        self.upstreamMessageReceived(message, acknowledgement: acknowledgement, for: session)
    }

    /// The session's mode, by its client id and the kind of transport it came over.
    func mode(of session: ClientSession) -> GatewayConfiguration.Mode {
        let kind: GatewayConfiguration.TransportKind
        switch session.address {
        case .serial: kind = .serial
        case .udp, .udpForwarded: kind = session.transport is any MQTTSNAuthenticatingTransport ? .dtls : .udp
        }
        return self.configuration.mode(forClient: session.clientID, transport: kind)
    }

    func makeUpstream(for session: ClientSession) -> any UpstreamSession {
        let clientID = session.clientID
        if session.incarnation == 0 {
            self.lastIncarnation += 1
            session.incarnation = self.lastIncarnation
        }
        let incarnation = session.incarnation
        // Lets the loss callbacks ignore an upstream session that was already replaced (connectUpstream makes it
        // the session's upstream at once).
        session.upstreamGeneration &+= 1
        let generation = session.upstreamGeneration
        let events = UpstreamSessionEvents(
            message: { [weak self] message, acknowledgement in
                guard let self else { return }
                // At once when on the loop (the upstream connections share it): a hop per message and client
                // would be a task each, for every client a shared message goes to.
                guard self.eventLoop.inEventLoop else {
                    self.eventLoop.execute {
                        self.upstreamMessageReceived(
                            message,
                            acknowledgement: acknowledgement,
                            for: clientID,
                            incarnation
                        )
                    }
                    return
                }
                self.upstreamMessageReceived(message, acknowledgement: acknowledgement, for: clientID, incarnation)
            },
            connectionLost: { [weak self] in
                guard let self else { return }
                self.eventLoop.execute {
                    guard let session = self.current(clientID, incarnation), session.upstream != nil,
                        session.upstreamGeneration == generation
                    else { return }
                    self.logger.notice(
                        "Upstream session lost, reconnecting; the client keeps its session",
                        metadata: ["client.id": "\(clientID)"]
                    )
                    self.perform(session.machine.upstreamLost(now: self.eventLoop.now), for: session)
                    self.flushPendingWrites()
                }
            },
            connectionRestored: { [weak self] sessionPresent in
                guard let self else { return }
                self.eventLoop.execute {
                    guard let session = self.current(clientID, incarnation), session.upstream != nil,
                        session.upstreamGeneration == generation
                    else { return }
                    self.logger.notice(
                        "Upstream session restored",
                        metadata: ["client.id": "\(clientID)", "mqtt.session_present": "\(sessionPresent)"]
                    )
                    let now = self.eventLoop.now
                    self.perform(
                        session.machine.upstreamConnected(now: now, sessionPresent: sessionPresent),
                        for: session
                    )
                    self.forwardOutage(for: session)
                    self.deliverPending(to: session, now: now)
                    self.flushPendingWrites()
                }
            }
        )
        let upstream = self.upstreamFactory.makeSession(
            parameters: self.upstreamParameters(for: session),
            events: events
        )
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
    func connectUpstream(for session: ClientSession) {
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
            let now = self.eventLoop.now
            switch result {
            case .success(let sessionPresent):
                self.metrics.upstreamConnected(after: (self.eventLoop.now - started).nanoseconds)
                self.logger.info(
                    "Client connected",
                    metadata: ["client.id": "\(session.clientID)", "peer.address": "\(session.address)"]
                )
                self.perform(session.machine.upstreamConnected(now: now, sessionPresent: sessionPresent), for: session)
                self.forwardOutage(for: session)
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
                self.perform(session.machine.upstreamConnectFailed(returnCode, now: now), for: session)
            }
            self.flushPendingWrites()
        }
    }

    func publishUpstream(
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

    /// Subscribes upstream to `upstreamFilter` (the client's `topicFilter` under its mountpoint); the state machine
    /// keeps the client's filter, which ``restoreUpstream(subscriptions:thenSend:for:)`` mounts again.
    func subscribeUpstream(
        topicFilter: String,
        upstreamFilter: String,
        qos: UpstreamQoS,
        messageID: UInt16,
        topicID: UInt16,
        for session: ClientSession
    ) {
        guard let upstream = session.upstream else { return }
        upstream.subscribe(topicFilter: upstreamFilter, qos: qos).hop(to: self.eventLoop).whenComplete {
            [self] result in
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
            self.deliverPending(to: session, now: self.eventLoop.now)
            self.flushPendingWrites()
        }
    }

    func unsubscribeUpstream(topicFilter: String, messageID: UInt16, for session: ClientSession) {
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
    func reestablishUpstream(for session: ClientSession) {
        self.closeUpstreamGracefully(of: session)
        self.connectUpstream(for: session)
    }

    /// The upstream session is up again: subscribe to what the broker no longer has (no answers to the client),
    /// then answer a pending will update.
    func restoreUpstream(
        subscriptions: [String: UpstreamQoS],
        thenSend response: MQTTSNPacket?,
        for session: ClientSession
    ) {
        if let upstream = session.upstream {
            for (filter, qos) in subscriptions.sorted(by: { $0.key < $1.key }) {
                upstream.subscribe(topicFilter: self.mounted(filter, for: session), qos: qos).whenComplete { _ in }
            }
        }
        if let response {
            self.send(response, to: session)
        }
    }

    /// A broker message for the client: queued (and acknowledged upstream once the client has it), or dropped and
    /// counted when it cannot be delivered.
    func upstreamMessageReceived(
        _ message: UpstreamMessage,
        acknowledgement: UpstreamAcknowledgement?,
        for session: ClientSession
    ) {
        self.metrics.messageFromUpstream()
        guard let message = self.deliverable(message, for: session) else {
            if let acknowledgement, let upstream = session.upstream {
                // Not for this client: acknowledged upstream so that the broker's window moves on.
                upstream.acknowledge(acknowledgement)
                self.markForFlush(upstream)
            }
            return
        }
        // Dropped before it takes a place in the queue; the check in nextDelivery covers a limit that shrank since.
        self.refreshMaximumPacketSize(of: session)
        if let tooLarge = session.machine.dropIfTooLarge(message) {
            if let acknowledgement, let upstream = session.upstream {
                // Gone for the client: acknowledged upstream so that the broker's window moves on.
                upstream.acknowledge(acknowledgement)
                self.markForFlush(upstream)
            }
            self.perform(tooLarge, for: session)
            return
        }
        if let reason = session.machine.enqueue(message, acknowledgement: acknowledgement) {
            self.dropped(reason, for: session)
        }
        // A sleeping client's buffer is stored (and then acknowledged upstream) even though nothing is sent now,
        // and counted in the gauges.
        self.sessionMayHaveChanged(session)
        self.updateGauges(of: session)
        self.deliverPending(to: session, now: self.eventLoop.now)
        // One broker message may be for a thousand clients (aggregating mode, or a thousand transparent sessions
        // reading in one turn): their datagrams leave together, in one sendmmsg, not one each.
        self.flushAtEndOfTurn()
    }
}
