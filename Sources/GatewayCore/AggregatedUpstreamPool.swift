import Logging
import MQTTClient
import NIOCore

/// The shared broker sessions of aggregating mode and the MQTT-SN clients multiplexed over them.
///
/// ```
///  client A ─┐                            ┌─ connection 0: every SUBSCRIBE; A's and C's PUBLISHes
///  client B ─┼─ AggregatedUpstreamSession ┤
///  client C ─┘      (one per client)      └─ connection 1: B's PUBLISHes
///
///  broker message ──▶ SharedSubscriptions.recipients ──▶ A (QoS 1), C (QoS 0)
///                     PUBACK upstream once A acknowledged it (C's QoS 0 copy needs no answer)
/// ```
///
/// Subscriptions live on connection 0 only, so a broker message arrives once however many connections there are;
/// each client publishes on the connection its client id hashes to, which keeps its messages in order. A client's
/// session is up while connection 0 and its own connection are; when either drops, its clients hear
/// `connectionLost` and, once both are back, `connectionRestored(sessionPresent: false)`, so the gateway
/// subscribes them again (the shared sessions start clean).
///
/// A broker QoS 1/2 message delivered to several clients is acknowledged upstream when the last of them
/// acknowledged its copy (or went away), so the broker's in-flight window, not the gateway, holds back the rest.
///
/// Confined to `eventLoop`, on which the shared clients run too.
final class AggregatedUpstreamPool: @unchecked Sendable {
    /// One broker message handed to several clients, acknowledged upstream when `remaining` reaches zero.
    private struct Fanout {
        var remaining: Int
        let acknowledgement: MQTTInboundAcknowledgement
        let connection: Int
    }

    /// How long after a SUBACK retained messages (RETAIN set) still go to the client that subscribed.
    static let retainedWindow: TimeAmount = .seconds(2)

    let eventLoop: any EventLoop
    private let logger: Logger
    private let clientIDs: [String]
    /// The MQTT 5 user property that names the MQTT-SN client; `nil` without one or on MQTT 3.1.1.
    let clientProperty: String?
    private let backoff: GatewayConfiguration.ReconnectBackoff
    private let connectTimeout: TimeAmount
    /// Immutable after `init`; each client is safe to call from any thread.
    private(set) var clients: [MQTTClient] = []

    // Confined to the event loop.
    private var connected: [Bool]
    private var connectedBefore: [Bool]
    private var started = false
    /// By MQTT-SN client id, so that a client's next session takes over what its last one left (``parked``).
    private var subscriptions = SharedSubscriptions<String>()
    private var retainedGenerations: [String: Int] = [:]
    /// With MQTT 5, every filter subscribed upstream has its own subscription identifier, which the broker puts on
    /// each message it sends for it: a message then goes to that filter's clients only.
    private let usesSubscriptionIdentifiers: Bool
    private var subscriptionIDs: [String: UInt32] = [:]
    private var filtersBySubscriptionID: [UInt32: String] = [:]
    private var nextSubscriptionID: UInt32 = 1
    /// The SUBSCRIBE whose retained messages may be arriving now: the last one answered with a SUBACK.
    private var openRetainedWindow: (filter: String, generation: Int)?
    /// The clients with a session now, by client id.
    private var members: [String: AggregatedUpstreamSession] = [:]
    private var opening: [ObjectIdentifier: (session: AggregatedUpstreamSession, promise: EventLoopPromise<Bool>)] = [:]
    /// Clients whose clean-session-off session went away (DISCONNECT, or lost): their subscriptions stay, and the
    /// broker messages for them wait here, up to ``parkedLimit`` each, until their next session takes them (the
    /// shared sessions cannot keep them the way a broker keeps a persistent session). In memory: a restart of the
    /// bridge, or of the broker, forgets them, and the next session subscribes again.
    private var parked: [String: [UpstreamMessage]] = [:]
    private let parkedLimit: Int
    private var parkedWarnings = WarningThrottle()
    private var fanouts: [UInt64: Fanout] = [:]
    private var nextFanout: UInt64 = 1

    /// - Parameter configurations: one MQTT client configuration per shared session (clean start, reconnecting).
    init(
        configurations: [MQTTClientConfiguration],
        parkedLimit: Int,
        clientProperty: String?,
        backoff: GatewayConfiguration.ReconnectBackoff,
        connectTimeout: TimeAmount,
        eventLoop: any EventLoop,
        logger: Logger
    ) {
        self.eventLoop = eventLoop
        self.logger = logger
        self.parkedLimit = parkedLimit
        self.clientIDs = configurations.map(\.clientID)
        let usesVersion5 = configurations.first?.protocolVersion == .v5
        self.clientProperty = usesVersion5 ? clientProperty : nil
        self.usesSubscriptionIdentifiers = usesVersion5
        self.backoff = backoff
        self.connectTimeout = connectTimeout
        self.connected = Array(repeating: false, count: configurations.count)
        self.connectedBefore = Array(repeating: false, count: configurations.count)
        self.clients = configurations.enumerated().map { index, configuration in
            var logger = logger
            logger[metadataKey: "upstream.client_id"] = "\(configuration.clientID)"
            return MQTTClient(
                configuration: configuration,
                eventLoop: eventLoop,
                logger: logger,
                deliveryHandler: { [weak self] message, acknowledgement in
                    self?.onLoop { $0.delivered(message, acknowledgement, on: index) }
                },
                connectionHandler: { [weak self] event in
                    self?.onLoop { $0.connectionEvent(event, on: index) }
                }
            )
        }
    }

    var connectionCount: Int { self.clients.count }

    private func onLoop(_ body: @escaping @Sendable (AggregatedUpstreamPool) -> Void) {
        if self.eventLoop.inEventLoop {
            body(self)
        } else {
            self.eventLoop.execute { body(self) }
        }
    }

    // MARK: Shared sessions

    /// Connects every shared session the first time a client needs one; a failed first connect is retried with
    /// the broker's reconnect backoff (later losses are the MQTT client's own reconnects).
    private func startIfNeeded() {
        guard !self.started else { return }
        self.started = true
        for index in self.clients.indices {
            self.connect(index, after: .zero)
        }
    }

    private func connect(_ index: Int, after delay: TimeAmount) {
        self.eventLoop.scheduleTask(in: delay) {
            let connected: EventLoopFuture<MQTTConnectResult> = self.clients[index].connect()
            connected.hop(to: self.eventLoop).whenComplete { result in
                switch result {
                case .success:
                    self.connectedBefore[index] = true
                    self.logger.info(
                        "Shared upstream session connected",
                        metadata: ["upstream.client_id": "\(self.clientIDs[index])"]
                    )
                    self.setConnected(index, true)
                case .failure(let error):
                    let next =
                        delay == .zero
                        ? self.backoff.initialDelay : min(delay * 2, self.backoff.maximumDelay)
                    self.logger.warning(
                        "Shared upstream session could not connect; retrying",
                        metadata: [
                            "upstream.client_id": "\(self.clientIDs[index])",
                            "error.description": "\(MQTTClientUpstream.connectError(error))",
                        ]
                    )
                    self.connect(index, after: next)
                }
            }
        }
    }

    private func connectionEvent(_ event: MQTTConnectionEvent, on index: Int) {
        switch event {
        case .disconnected(let error):
            guard error != nil, self.connected[index] else { return }
            self.logger.notice(
                "Shared upstream session lost, reconnecting",
                metadata: ["upstream.client_id": "\(self.clientIDs[index])"]
            )
            self.setConnected(index, false)
        case .connected:
            // The first CONNACK is the connect future's; later ones are reconnects.
            guard self.connectedBefore[index], !self.connected[index] else { return }
            self.logger.notice(
                "Shared upstream session restored",
                metadata: ["upstream.client_id": "\(self.clientIDs[index])"]
            )
            self.setConnected(index, true)
        case .reconnecting:
            break
        }
    }

    /// Whether the clients of `connection` have an upstream: their own connection and the subscriptions' one.
    private func isUp(_ connection: Int) -> Bool {
        self.connected[0] && self.connected[connection]
    }

    private func setConnected(_ index: Int, _ value: Bool) {
        let wasUp = self.clients.indices.map(self.isUp)
        self.connected[index] = value
        if index == 0, !value {
            // A clean start: the broker forgot every subscription and every unacknowledged delivery.
            self.subscriptions = SharedSubscriptions()
            self.retainedGenerations.removeAll()
            self.openRetainedWindow = nil
            self.subscriptionIDs.removeAll()
            self.filtersBySubscriptionID.removeAll()
            self.fanouts.removeAll()
            for session in self.members.values { session.heldFanouts.removeAll() }
            self.parked.removeAll()
        }
        for session in self.members.values where wasUp[session.connection] != self.isUp(session.connection) {
            if value {
                session.events.connectionRestored(false)
            } else {
                session.events.connectionLost()
            }
        }
        for (id, pending) in self.opening where self.isUp(pending.session.connection) {
            self.opening.removeValue(forKey: id)
            pending.promise.succeed(self.admit(pending.session))
        }
    }

    // MARK: Client sessions

    /// Admits a client's session once its connections are up, or fails after `broker.connect_timeout` with a
    /// transient error (the gateway answers CONNACK 0x01, congestion). Succeeds with whether its subscriptions
    /// were kept (the client's last session was clean-session-off and this one is too), like MQTT's session present.
    func open(_ session: AggregatedUpstreamSession) -> EventLoopFuture<Bool> {
        self.eventLoop.assertInEventLoop()
        self.startIfNeeded()
        let id = ObjectIdentifier(session)
        if self.isUp(session.connection) {
            return self.eventLoop.makeSucceededFuture(self.admit(session))
        }
        let promise = self.eventLoop.makePromise(of: Bool.self)
        self.opening[id] = (session, promise)
        self.eventLoop.scheduleTask(in: self.connectTimeout) {
            guard let pending = self.opening.removeValue(forKey: id) else { return }
            pending.promise.fail(UpstreamConnectError.unavailable("the shared upstream sessions are not connected"))
        }
        return promise.futureResult
    }

    /// Makes `session` its client's current one. A clean-session-off session continues what a parked one left (its
    /// waiting messages follow once the gateway has answered the CONNECT); a clean one starts without subscriptions.
    private func admit(_ session: AggregatedUpstreamSession) -> Bool {
        let clientID = session.clientID
        self.members[clientID] = session
        let waiting = self.parked.removeValue(forKey: clientID)
        guard session.cleanSession == false, let waiting else {
            if session.cleanSession {
                for change in self.subscriptions.removeAll(of: clientID) {
                    _ = self.perform(change)
                }
            }
            return false
        }
        if !waiting.isEmpty {
            self.eventLoop.execute {
                guard self.members[clientID] === session else { return }
                for message in waiting {
                    session.events.message(message, nil)
                }
            }
        }
        return true
    }

    /// Ends a client's session: the copies it still holds count as acknowledged, `will`, when given, is published
    /// on its connection, and its subscriptions are parked (clean session off) or go (the last client of a filter
    /// unsubscribes it upstream). A session already replaced by the client's next one changes nothing else.
    func close(_ session: AggregatedUpstreamSession, will: UpstreamMessage?) {
        self.eventLoop.assertInEventLoop()
        if let pending = self.opening.removeValue(forKey: ObjectIdentifier(session)) {
            pending.promise.fail(UpstreamConnectError.unavailable("closed while connecting"))
        }
        let clientID = session.clientID
        guard self.members[clientID] === session else { return }
        self.members.removeValue(forKey: clientID)
        if session.cleanSession {
            for change in self.subscriptions.removeAll(of: clientID) {
                _ = self.perform(change)
            }
        } else {
            self.parked[clientID] = []
        }
        let tokens = session.heldFanouts
        session.heldFanouts.removeAll()
        if !tokens.isEmpty {
            for token in tokens {
                self.acknowledged(token, by: nil)
            }
            for client in self.clients { client.flush() }
        }
        if let will, self.connected[session.connection] {
            session.publish(will, promise: nil)
            session.flush()
        }
    }

    func subscribe(
        _ session: AggregatedUpstreamSession,
        to filter: String,
        qos: UpstreamQoS
    ) -> EventLoopFuture<UpstreamQoS> {
        self.eventLoop.assertInEventLoop()
        guard self.members[session.clientID] === session, self.connected[0] else {
            return self.eventLoop.makeFailedFuture(MQTTClientError.notConnected)
        }
        let change = self.subscriptions.subscribe(session.clientID, to: filter, qos: qos)
        let generation = (self.retainedGenerations[filter] ?? 0) + 1
        self.retainedGenerations[filter] = generation
        return self.perform(change).map { granted in
            self.retainedWindowOpened(filter: filter, generation: generation)
            return min(granted, qos)
        }
    }

    /// A SUBACK arrived: the broker sends that SUBSCRIBE's retained messages right after it, and every earlier
    /// SUBSCRIBE's before it (one connection, in order), so the window of the previous one closes now and this
    /// one's at the next SUBACK or after ``retainedWindow``, whichever comes first.
    private func retainedWindowOpened(filter: String, generation: Int) {
        if let previous = self.openRetainedWindow {
            self.closeRetainedWindow(filter: previous.filter, generation: previous.generation)
        }
        self.openRetainedWindow = (filter, generation)
        self.eventLoop.scheduleTask(in: Self.retainedWindow) {
            self.closeRetainedWindow(filter: filter, generation: generation)
        }
    }

    /// Closes a filter's retained window unless a later SUBSCRIBE to it opened a new one.
    private func closeRetainedWindow(filter: String, generation: Int) {
        if self.retainedGenerations[filter] == generation {
            self.subscriptions.retainedWindowClosed(filter: filter)
        }
        if let open = self.openRetainedWindow, open.filter == filter, open.generation == generation {
            self.openRetainedWindow = nil
        }
    }

    func unsubscribe(_ session: AggregatedUpstreamSession, from filter: String) -> EventLoopFuture<Void> {
        self.eventLoop.assertInEventLoop()
        guard self.members[session.clientID] === session,
            let change = self.subscriptions.unsubscribe(session.clientID, from: filter)
        else {
            return self.eventLoop.makeSucceededVoidFuture()
        }
        return self.perform(change).map { _ in }
    }

    /// Carries a subscription change out on connection 0; succeeds with the granted QoS (for an UNSUBSCRIBE, 0).
    private func perform(_ change: SharedSubscriptions<String>.UpstreamChange) -> EventLoopFuture<UpstreamQoS> {
        let client = self.clients[0]
        switch change {
        case .subscribe(let filter, let qos):
            let subscription = MQTTSubscription(
                topicFilter: filter,
                qos: MQTTQoS(rawValue: qos.rawValue) ?? .atMostOnce
            )
            var properties = MQTTProperties()
            if self.usesSubscriptionIdentifiers {
                properties.entries.append(.subscriptionIdentifier(self.subscriptionID(of: filter)))
            }
            let acknowledged = client.subscribe([subscription], properties: properties).hop(to: self.eventLoop)
            return acknowledged.flatMapThrowing { results in
                guard let result = results.first else { throw MQTTClientError.notConnected }
                return UpstreamQoS(rawValue: try result.get().rawValue) ?? .atMostOnce
            }
        case .unsubscribe(let filter):
            if let id = self.subscriptionIDs.removeValue(forKey: filter) {
                self.filtersBySubscriptionID.removeValue(forKey: id)
            }
            return client.unsubscribe([filter]).hop(to: self.eventLoop).map { .atMostOnce }
        }
    }

    /// The filter's subscription identifier, a new one (1 to 268,435,455, MQTT 5's range) the first time.
    private func subscriptionID(of filter: String) -> UInt32 {
        if let id = self.subscriptionIDs[filter] { return id }
        var id = self.nextSubscriptionID
        while self.filtersBySubscriptionID[id] != nil { id = id % 268_435_455 + 1 }
        self.nextSubscriptionID = id % 268_435_455 + 1
        self.subscriptionIDs[filter] = id
        self.filtersBySubscriptionID[id] = filter
        return id
    }

    // MARK: Downlink

    private func delivered(_ message: MQTTMessage, _ acknowledgement: MQTTInboundAcknowledgement?, on index: Int) {
        let qos = UpstreamQoS(rawValue: message.qos.rawValue) ?? .atMostOnce
        let named = message.properties.subscriptionIdentifiers.compactMap { self.filtersBySubscriptionID[$0] }
        let recipients =
            named.isEmpty
            ? self.subscriptions.recipients(topic: message.topic, qos: qos, retain: message.retain)
            : self.subscriptions.recipients(qos: qos, retain: message.retain, among: named)
        var token: UInt64?
        var waiting = 0
        // Who gets which copy first, and the fanout registered, before any client has its copy: the gateway takes a
        // copy at once, and may acknowledge it (a QoS 0 downgrade, a drop) before the next client has its own.
        var deliveries: [(session: AggregatedUpstreamSession, copy: UpstreamMessage, ack: UpstreamAcknowledgement?)] =
            []
        deliveries.reserveCapacity(recipients.count)
        for (clientID, granted) in recipients {
            let copy = UpstreamMessage(
                topic: message.topic,
                payload: message.payload,
                qos: granted,
                retain: message.retain
            )
            guard let session = self.members[clientID] else {
                self.park(copy, for: clientID)
                continue
            }
            guard let acknowledgement, granted != .atMostOnce else {
                deliveries.append((session, copy, nil))
                continue
            }
            let fanout = token ?? self.nextFanout
            if token == nil {
                token = fanout
                self.nextFanout &+= 1
            }
            waiting += 1
            // Tokens grow, and a client acknowledges in order: appended here, usually taken from the front.
            session.heldFanouts.append(fanout)
            deliveries.append(
                (session, copy, UpstreamAcknowledgement(fanout: fanout, packetID: acknowledgement.packetID))
            )
        }
        if let acknowledgement {
            if let token, waiting > 0 {
                self.fanouts[token] = Fanout(remaining: waiting, acknowledgement: acknowledgement, connection: index)
            } else {
                // Nobody needs to answer it (no subscriber any more, or only QoS 0 copies).
                self.clients[index].acknowledge(acknowledgement)
                self.clients[index].flush()
            }
        }
        for delivery in deliveries {
            delivery.session.events.message(delivery.copy, delivery.ack)
        }
    }

    /// Keeps a message for a client whose clean-session-off session is parked; beyond ``parkedLimit`` the oldest
    /// goes, logged (throttled). The shared message itself counts as taken: the broker's window must not wait for
    /// a client that is away.
    private func park(_ message: UpstreamMessage, for clientID: String) {
        guard var waiting = self.parked[clientID] else { return }
        if waiting.count >= self.parkedLimit {
            waiting.removeFirst()
            if self.parkedWarnings.admit() {
                self.logger.notice(
                    "Broker message for an absent client dropped: its parked queue is full",
                    metadata: [
                        "client.id": "\(clientID)", "gateway.downlink_queue": "\(self.parkedLimit)",
                        "drop.suppressed": "\(self.parkedWarnings.suppressed)",
                    ]
                )
                self.parkedWarnings.resetSuppressed()
            }
        }
        waiting.append(message)
        self.parked[clientID] = waiting
    }

    /// One client's copy of a shared message is safe (acknowledged by the device, or durably queued); `session` is
    /// nil when the client went away holding it.
    func acknowledged(_ token: UInt64, by session: AggregatedUpstreamSession?) {
        self.eventLoop.assertInEventLoop()
        if let session {
            // Usually the first: acknowledgements come in order, and a Deque removes at its front in O(1).
            guard let index = session.heldFanouts.firstIndex(of: token) else { return }
            session.heldFanouts.remove(at: index)
        }
        guard var fanout = self.fanouts[token] else { return }
        fanout.remaining -= 1
        guard fanout.remaining == 0 else {
            self.fanouts[token] = fanout
            return
        }
        self.fanouts.removeValue(forKey: token)
        self.clients[fanout.connection].acknowledge(fanout.acknowledgement)
    }

    /// Writes out what the shared sessions of `connection` (and the subscriptions' session, which carries the
    /// acknowledgements of shared messages) have buffered.
    func flush(_ connection: Int) {
        self.clients[connection].flush()
        if connection != 0 { self.clients[0].flush() }
    }

    /// Closes every shared session with DISCONNECT.
    func shutdown() -> EventLoopFuture<Void> {
        let closed = self.clients.map { $0.disconnect() }
        return EventLoopFuture.andAllComplete(closed, on: self.eventLoop)
    }
}
