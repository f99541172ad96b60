import NIOCore

/// The protocol logic of one client: connection life cycle, packet identifiers, in-flight limits, the QoS 1/2
/// handshakes in both directions, keep alive and what survives a reconnect.
///
/// It does no I/O. Every event goes in through a method, and what the caller must do comes back as an action
/// (send these packets, complete that promise, schedule a reconnect...). The promises it stores are never
/// completed here; they are handed back in actions, so the machine can be driven by table tests without a channel.
///
///                       connect()                 channelActive
///     ┌──────┐ ───────────────────► ┌────────────┐ ─────────► ┌──────────────────┐
///     │ idle │                      │ connecting │            │ awaitingConnAck  │
///     └──────┘ ◄─── closed, no ──── └────────────┘            └──────────────────┘
///        ▲          reconnect             ▲                            │ CONNACK accepted
///        │                                │ timer                      ▼
///        │                     ┌────────────────────┐  lost  ┌───────────┐
///        │                     │ waitingToReconnect │ ◄───── │ connected │
///        │                     └────────────────────┘        └───────────┘
///        │          closed     ┌─────────┐  disconnect() / closeAbruptly()  │
///        └──────────────────── │ closing │ ◄────────────────────────────────┘
///                              └─────────┘
struct MQTTConnectionStateMachine {
    enum State: Hashable {
        case idle
        /// TCP (and TLS) under way. Attempt 0 was asked for by `connect()`; later attempts are reconnects.
        case connecting(attempt: Int)
        case awaitingConnAck(attempt: Int)
        case connected
        /// A reconnect timer is pending; `attempt` is the attempt it will start.
        case waitingToReconnect(attempt: Int)
        /// The user asked to disconnect; waiting for the channel to close.
        case closing
    }

    /// Which acknowledgement an outbound QoS 1/2 publish waits for.
    enum OutboundPhase: Hashable {
        case awaitingPubAck
        case awaitingPubRec
        case awaitingPubComp
    }

    struct InFlightPublish {
        var packet: MQTTPublishPacket
        var phase: OutboundPhase
        var promise: EventLoopPromise<Void>?
        /// Send order, so a resumed session resends in the original order as MQTT requires.
        var sequence: UInt64
    }

    struct QueuedPublish {
        var message: MQTTMessage
        var promise: EventLoopPromise<Void>?
    }

    struct Settings {
        var protocolVersion: MQTTProtocolVersion
        var cleanSession: Bool
        var maximumInFlight: Int
        var maximumQueued: Int
        var keepAlive: TimeAmount
        var reconnects: Bool
        var maximumReconnectAttempts: Int?
        var partitionTimeout: TimeAmount?
        /// Whether the application acknowledges QoS 1/2 deliveries itself (``acknowledge(_:)``).
        var acknowledgesManually: Bool

        init(_ configuration: MQTTClientConfiguration, acknowledgesManually: Bool = false) {
            self.partitionTimeout = configuration.partitionTimeout.flatMap { $0.nanoseconds > 0 ? $0 : nil }
            self.acknowledgesManually = acknowledgesManually
            self.protocolVersion = configuration.protocolVersion
            self.cleanSession = configuration.cleanSession
            self.maximumInFlight = max(1, configuration.maximumInFlight)
            self.maximumQueued = max(0, configuration.maximumQueuedPublishes)
            self.keepAlive = .seconds(Int64(configuration.keepAliveSeconds))
            self.reconnects = configuration.reconnect != nil
            self.maximumReconnectAttempts = configuration.reconnect?.maximumAttempts
        }
    }

    private(set) var state: State = .idle
    let settings: Settings

    // Negotiated with the broker's CONNACK.
    private(set) var peerMaximumPacketSize = MQTTPacket.absoluteMaximumPacketSize
    private(set) var inFlightLimit: Int
    private(set) var keepAlive: TimeAmount
    private var peerMaximumQoS: MQTTQoS = .exactlyOnce

    // Session state: survives reconnects of a persistent session.
    private(set) var inFlight: [UInt16: InFlightPublish] = [:]
    /// Empty for most sessions' whole life: grows only when publishes wait (thousands of idle gateway sessions).
    private(set) var queued = CircularBuffer<QueuedPublish>(initialCapacity: 1)
    /// QoS 2 publishes we sent PUBREC for and whose PUBREL has not arrived: a redelivery is not passed on again.
    private(set) var inboundQoS2: Set<UInt16> = []
    /// Deliveries handed to the application and not acknowledged by it yet (manual acknowledgement only): a
    /// redelivery is not passed on again, and the acknowledgement answers it.
    private(set) var awaitingApplication: [UInt16: MQTTQoS] = [:]
    /// Acknowledged by the application while no connection was up; answered after a resumed session's CONNACK.
    private(set) var acknowledgedWhileDisconnected: [UInt16: MQTTQoS] = [:]
    /// Changed whenever the broker starts a new session, which makes older acknowledgements meaningless. Starts
    /// at random, so that an acknowledgement handed to another client's ``MQTTClient/acknowledge(_:)`` is ignored.
    private(set) var sessionEpoch = UInt64.random(in: 0 ... .max)
    private var pendingSubscribes: [UInt16: (promise: EventLoopPromise<[MQTTSubscribeResult]>, count: Int)] = [:]
    private var pendingUnsubscribes: [UInt16: EventLoopPromise<Void>] = [:]
    private var nextPacketID: UInt16 = 1
    private var nextSequence: UInt64 = 0

    // Keep alive.
    private var lastPacketSent: NIODeadline = .uptimeNanoseconds(0)
    private var lastPacketReceived: NIODeadline = .uptimeNanoseconds(0)
    private var pingSentAt: NIODeadline?

    init(settings: Settings) {
        self.settings = settings
        self.inFlightLimit = settings.maximumInFlight
        self.keepAlive = settings.keepAlive
    }

    var isConnected: Bool { state == .connected }

    /// True while a connection attempt (first or reconnect) is under way.
    var isConnecting: Bool {
        switch state {
        case .connecting, .awaitingConnAck: true
        default: false
        }
    }

    private var isReconnecting: Bool {
        switch state {
        case .waitingToReconnect: true
        case .connecting(let attempt), .awaitingConnAck(let attempt): attempt > 0
        default: false
        }
    }
}

// MARK: - Connection life cycle

extension MQTTConnectionStateMachine {
    enum ConnectAction {
        case openConnection
        case fail(MQTTConnectionError)
    }

    mutating func connect() -> ConnectAction {
        guard state == .idle else { return .fail(.alreadyConnected) }
        state = .connecting(attempt: 0)
        return .openConnection
    }

    enum ChannelActiveAction {
        case sendConnect
        /// The user disconnected while TCP was being set up.
        case close
    }

    mutating func channelActive() -> ChannelActiveAction {
        guard case .connecting(let attempt) = state else { return .close }
        state = .awaitingConnAck(attempt: attempt)
        return .sendConnect
    }

    enum ReconnectTimerAction {
        case openConnection
        case none
    }

    mutating func reconnectTimerFired() -> ReconnectTimerAction {
        guard case .waitingToReconnect(let attempt) = state else { return .none }
        state = .connecting(attempt: attempt)
        return .openConnection
    }

    enum ConnAckAction {
        /// Complete `connect()` (or report the reconnect), send `packets` in order, and complete the publish
        /// promises in `completed` (nil error: success).
        case accepted(
            MQTTConnectResult,
            packets: [MQTTPacket],
            completed: [(EventLoopPromise<Void>?, MQTTClientError?)]
        )
        /// Close the connection with this error; ``connectionClosed(error:)`` reports it.
        case refused(MQTTConnectionError)
        case protocolViolation(MQTTConnectionError)
    }

    mutating func connAckReceived(_ connack: MQTTConnAckPacket) -> ConnAckAction {
        guard case .awaitingConnAck = state else {
            return .protocolViolation(.protocolViolation("CONNACK outside the connect handshake"))
        }
        guard connack.returnCode == 0 else {
            return .refused(.refused(returnCode: connack.returnCode, version: settings.protocolVersion))
        }
        state = .connected
        pingSentAt = nil
        let properties = connack.properties
        peerMaximumPacketSize = properties.maximumPacketSize.map { Int($0) } ?? MQTTPacket.absoluteMaximumPacketSize
        inFlightLimit = min(settings.maximumInFlight, Int(properties.receiveMaximum ?? UInt16.max))
        keepAlive = properties.serverKeepAlive.map { .seconds(Int64($0)) } ?? settings.keepAlive
        peerMaximumQoS = properties.maximumQoS ?? .exactlyOnce

        var packets: [MQTTPacket] = []
        var completed: [(EventLoopPromise<Void>?, MQTTClientError?)] = []
        let resuming = connack.sessionPresent && !settings.cleanSession
        if !resuming {
            // The broker has no state for our QoS 2 receptions, nor for deliveries awaiting the application.
            inboundQoS2.removeAll()
            awaitingApplication.removeAll()
            acknowledgedWhileDisconnected.removeAll()
            sessionEpoch &+= 1
        }
        for (packetID, record) in inFlight.sorted(by: { $0.value.sequence < $1.value.sequence }) {
            switch (record.phase, resuming) {
            case (.awaitingPubComp, true):
                packets.append(.pubrel(MQTTPublishResponsePacket(packetID: packetID)))
            case (.awaitingPubComp, false):
                // PUBREC said the broker owns the message; only the release handshake was lost with the session.
                inFlight[packetID] = nil
                completed.append((record.promise, nil))
            case (.awaitingPubAck, _), (.awaitingPubRec, _):
                var packet = record.packet
                // [MQTT-4.4.0-1]: a resumed session retransmits with DUP; a new session gets a first delivery.
                packet.duplicate = resuming
                inFlight[packetID]?.packet = packet
                packets.append(.publish(packet))
            }
        }
        for (packetID, qos) in acknowledgedWhileDisconnected.sorted(by: { $0.key < $1.key }) {
            if let response = Self.response(to: packetID, qos: qos, inboundQoS2: &inboundQoS2) {
                packets.append(response)
            }
        }
        acknowledgedWhileDisconnected.removeAll()
        let (drained, drainFailures) = drainQueue()
        packets.append(contentsOf: drained.map { .publish($0) })
        completed.append(contentsOf: drainFailures.map { ($0.0, $0.1) })
        return .accepted(
            MQTTConnectResult(sessionPresent: connack.sessionPresent, properties: properties),
            packets: packets,
            completed: completed
        )
    }

    /// What to do once a connection ended (or a connection attempt failed).
    struct ClosedAction {
        /// Fail the pending `connect()` with this.
        var failConnect: MQTTConnectionError?
        /// Report `.disconnected(error)`; `nil` inside means a requested disconnect.
        var reportDisconnected: MQTTConnectionError??
        /// Schedule this reconnect attempt.
        var reconnectAttempt: Int?
        var failedPublishes: [(EventLoopPromise<Void>, MQTTClientError)] = []
        var failedSubscribes: [EventLoopPromise<[MQTTSubscribeResult]>] = []
        var failedUnsubscribes: [EventLoopPromise<Void>] = []
    }

    /// The channel closed or could not be opened. `error` is why, when known.
    mutating func connectionClosed(error: MQTTConnectionError?) -> ClosedAction {
        var action = ClosedAction()
        pingSentAt = nil
        switch state {
        case .idle, .waitingToReconnect:
            return action

        case .connecting(let attempt), .awaitingConnAck(let attempt):
            let reason = error ?? .connectionClosed
            if attempt == 0 {
                state = .idle
                action.failConnect = reason
                failEverything(into: &action, keepingSession: !settings.cleanSession)
            } else if let maximum = settings.maximumReconnectAttempts, attempt >= maximum {
                state = .idle
                action.reportDisconnected = .some(.reconnectAttemptsExhausted)
                failEverything(into: &action, keepingSession: !settings.cleanSession)
            } else {
                state = .waitingToReconnect(attempt: attempt + 1)
                action.reconnectAttempt = attempt + 1
            }

        case .connected:
            action.reportDisconnected = .some(error ?? .connectionClosed)
            failRequests(into: &action)
            if settings.reconnects {
                state = .waitingToReconnect(attempt: 1)
                action.reconnectAttempt = 1
                if settings.cleanSession {
                    // A clean session will not resume, so the outcome of these can never be learned.
                    failInFlight(into: &action, keepingMessages: false)
                }
            } else {
                state = .idle
                failEverything(into: &action, keepingSession: !settings.cleanSession)
            }

        case .closing:
            state = .idle
            action.reportDisconnected = .some(nil)
            action.failConnect = .disconnectRequested
            failEverything(into: &action, keepingSession: !settings.cleanSession)
        }
        return action
    }

    enum DisconnectAction {
        /// Send DISCONNECT, then close the channel.
        case sendDisconnectAndClose
        /// Close the channel without DISCONNECT.
        case close
        /// Nothing is open; fail what is left and report.
        case stopReconnecting(ClosedAction)
        /// Already disconnected or disconnecting.
        case none
    }

    /// A graceful disconnect (`graceful`) or an abrupt close.
    mutating func disconnect(graceful: Bool) -> DisconnectAction {
        switch state {
        case .idle, .closing:
            return .none
        case .connected:
            state = .closing
            return graceful ? .sendDisconnectAndClose : .close
        case .connecting, .awaitingConnAck:
            state = .closing
            return .close
        case .waitingToReconnect:
            state = .closing
            return .stopReconnecting(connectionClosed(error: nil))
        }
    }

    private mutating func failRequests(into action: inout ClosedAction) {
        action.failedSubscribes = pendingSubscribes.values.map(\.promise)
        action.failedUnsubscribes = Array(pendingUnsubscribes.values)
        pendingSubscribes.removeAll()
        pendingUnsubscribes.removeAll()
    }

    /// Fails every promise. A persistent session keeps its in-flight messages so the next connection resends them.
    private mutating func failEverything(into action: inout ClosedAction, keepingSession: Bool) {
        failRequests(into: &action)
        failInFlight(into: &action, keepingMessages: keepingSession)
        while let entry = queued.popFirst() {
            if let promise = entry.promise { action.failedPublishes.append((promise, .notConnected)) }
        }
    }

    private mutating func failInFlight(into action: inout ClosedAction, keepingMessages: Bool) {
        for (packetID, record) in inFlight {
            if let promise = record.promise { action.failedPublishes.append((promise, .connectionLost)) }
            if keepingMessages {
                inFlight[packetID]?.promise = nil
            }
        }
        if !keepingMessages { inFlight.removeAll() }
    }
}

// MARK: - Outbound requests

extension MQTTConnectionStateMachine {
    enum PublishAction {
        /// Encode and write; complete `promise` (QoS 0 only) when written.
        case send(MQTTPublishPacket, completeOnWrite: EventLoopPromise<Void>?)
        /// Queued behind the in-flight limit or until reconnected.
        case queued
        case fail(MQTTClientError)
    }

    mutating func publish(_ message: MQTTMessage, promise: EventLoopPromise<Void>?) -> PublishAction {
        let sizeProbe = MQTTPublishPacket(message: message, packetID: message.qos == .atMostOnce ? nil : 1)
        let size = sizeProbe.encodedSize(version: settings.protocolVersion)
        switch state {
        case .connected:
            if let error = validate(message, size: size) { return .fail(error) }
            if message.qos == .atMostOnce {
                return .send(sizeProbe, completeOnWrite: promise)
            }
            guard inFlight.count < inFlightLimit else { return enqueue(message, promise: promise) }
            guard let packetID = allocatePacketID() else { return .fail(.packetIdentifiersExhausted) }
            return .send(startInFlight(message, packetID: packetID, promise: promise), completeOnWrite: nil)
        default:
            guard isReconnecting, message.qos != .atMostOnce else { return .fail(.notConnected) }
            guard size <= peerMaximumPacketSize else {
                return .fail(.packetTooLarge(size: size, maximum: peerMaximumPacketSize))
            }
            return enqueue(message, promise: promise)
        }
    }

    private mutating func enqueue(_ message: MQTTMessage, promise: EventLoopPromise<Void>?) -> PublishAction {
        guard queued.count < settings.maximumQueued else { return .fail(.queueFull) }
        queued.append(QueuedPublish(message: message, promise: promise))
        return .queued
    }

    private func validate(_ message: MQTTMessage, size: Int) -> MQTTClientError? {
        if size > peerMaximumPacketSize { return .packetTooLarge(size: size, maximum: peerMaximumPacketSize) }
        if message.qos > peerMaximumQoS { return .qosNotSupported(message.qos, maximum: peerMaximumQoS) }
        return nil
    }

    private mutating func startInFlight(
        _ message: MQTTMessage,
        packetID: UInt16,
        promise: EventLoopPromise<Void>?
    ) -> MQTTPublishPacket {
        let packet = MQTTPublishPacket(message: message, packetID: packetID)
        inFlight[packetID] = InFlightPublish(
            packet: packet,
            phase: message.qos == .atLeastOnce ? .awaitingPubAck : .awaitingPubRec,
            promise: promise,
            sequence: nextSequence
        )
        nextSequence &+= 1
        return packet
    }

    /// Moves queued publishes into flight while the limit allows.
    private mutating func drainQueue() -> ([MQTTPublishPacket], [(EventLoopPromise<Void>?, MQTTClientError)]) {
        var packets: [MQTTPublishPacket] = []
        var failed: [(EventLoopPromise<Void>?, MQTTClientError)] = []
        while inFlight.count < inFlightLimit, let next = queued.popFirst() {
            let size = MQTTPublishPacket(message: next.message, packetID: 1).encodedSize(
                version: settings.protocolVersion
            )
            if let error = validate(next.message, size: size) {
                failed.append((next.promise, error))
                continue
            }
            guard let packetID = allocatePacketID() else {
                failed.append((next.promise, .packetIdentifiersExhausted))
                continue
            }
            packets.append(startInFlight(next.message, packetID: packetID, promise: next.promise))
        }
        return (packets, failed)
    }

    /// The next free 16-bit packet identifier, skipping 0 and every identifier still in use.
    private mutating func allocatePacketID() -> UInt16? {
        for _ in 0..<Int(UInt16.max) {
            let candidate = nextPacketID
            nextPacketID = nextPacketID == UInt16.max ? 1 : nextPacketID + 1
            if inFlight[candidate] == nil, pendingSubscribes[candidate] == nil, pendingUnsubscribes[candidate] == nil {
                return candidate
            }
        }
        return nil
    }

    /// Forgets a publish whose packet could not be encoded, and returns its promise.
    mutating func abandonPublish(packetID: UInt16) -> EventLoopPromise<Void>? {
        inFlight.removeValue(forKey: packetID)?.promise
    }

    enum RequestAction {
        case send(MQTTPacket)
        case fail(MQTTClientError)
    }

    mutating func subscribe(
        _ subscriptions: [MQTTSubscription],
        properties: MQTTProperties = MQTTProperties(),
        promise: EventLoopPromise<[MQTTSubscribeResult]>
    ) -> RequestAction {
        guard state == .connected else { return .fail(.notConnected) }
        guard !subscriptions.isEmpty else {
            return .fail(.noTopicFilters)
        }
        guard let packetID = allocatePacketID() else { return .fail(.packetIdentifiersExhausted) }
        pendingSubscribes[packetID] = (promise, subscriptions.count)
        return .send(
            .subscribe(MQTTSubscribePacket(packetID: packetID, subscriptions: subscriptions, properties: properties))
        )
    }

    mutating func unsubscribe(_ topicFilters: [String], promise: EventLoopPromise<Void>) -> RequestAction {
        guard state == .connected else { return .fail(.notConnected) }
        guard !topicFilters.isEmpty else {
            return .fail(.noTopicFilters)
        }
        guard let packetID = allocatePacketID() else { return .fail(.packetIdentifiersExhausted) }
        pendingUnsubscribes[packetID] = promise
        return .send(.unsubscribe(MQTTUnsubscribePacket(packetID: packetID, topicFilters: topicFilters)))
    }

    /// Forgets a SUBSCRIBE or UNSUBSCRIBE that could not be encoded, and returns its promise to fail.
    mutating func abandonRequest(
        packetID: UInt16
    ) -> (EventLoopPromise<[MQTTSubscribeResult]>?, EventLoopPromise<Void>?) {
        (pendingSubscribes.removeValue(forKey: packetID)?.promise, pendingUnsubscribes.removeValue(forKey: packetID))
    }
}

// MARK: - Inbound packets

extension MQTTConnectionStateMachine {
    enum InboundAction {
        case none
        case send(MQTTPacket)
        /// Hand the message to the application, then send the acknowledgement, if any.
        case deliver(MQTTMessage, acknowledgement: MQTTPacket?)
        /// Hand the message to the application, which acknowledges it later with ``acknowledge(_:)``.
        case deliverAwaitingAcknowledgement(MQTTMessage, MQTTInboundAcknowledgement)
        /// A QoS 1/2 publish of ours finished; complete its promise, send `next` (the queue moving up) and fail
        /// `failed` (queued publishes that turned out invalid).
        case completePublish(
            EventLoopPromise<Void>?,
            MQTTClientError?,
            next: [MQTTPublishPacket],
            failed: [(EventLoopPromise<Void>?, MQTTClientError)]
        )
        case completeSubscribe(EventLoopPromise<[MQTTSubscribeResult]>, [MQTTSubscribeResult])
        case completeUnsubscribe(EventLoopPromise<Void>, MQTTClientError?)
        /// A malformed SUBACK: fail its request and close the connection with this error.
        case failSubscribeAndClose(EventLoopPromise<[MQTTSubscribeResult]>, MQTTConnectionError)
        /// Close the connection with this error.
        case close(MQTTConnectionError)
    }

    /// Any packet but CONNACK, while connected.
    mutating func packetReceived(_ packet: MQTTPacket) -> InboundAction {
        // Any traffic proves the connection is alive, not only PINGRESP (``packetReceived(at:)`` keeps the time).
        pingSentAt = nil
        guard state == .connected else {
            if state == .closing { return .none }
            return .close(.protocolViolation("\(packet.name) before CONNACK"))
        }
        switch packet {
        case .publish(let publish):
            return publishReceived(publish)
        case .pubrel(let pubrel):
            var pubcomp = MQTTPublishResponsePacket(packetID: pubrel.packetID)
            if inboundQoS2.remove(pubrel.packetID) == nil, settings.protocolVersion == .v5 {
                pubcomp.reasonCode = .packetIdentifierNotFound
            }
            return .send(.pubcomp(pubcomp))
        case .puback(let puback):
            return acknowledgementReceived(puback, expected: .awaitingPubAck)
        case .pubrec(let pubrec):
            return acknowledgementReceived(pubrec, expected: .awaitingPubRec)
        case .pubcomp(let pubcomp):
            return acknowledgementReceived(pubcomp, expected: .awaitingPubComp)
        case .suback(let suback):
            guard let pending = pendingSubscribes.removeValue(forKey: suback.packetID) else { return .none }
            guard suback.reasonCodes.count == pending.count else {
                let error = MQTTConnectionError.protocolViolation(
                    "SUBACK with \(suback.reasonCodes.count) codes for \(pending.count) filters"
                )
                return .failSubscribeAndClose(pending.promise, error)
            }
            return .completeSubscribe(pending.promise, suback.reasonCodes.map(MQTTSubscribeResult.init(reasonCode:)))
        case .unsuback(let unsuback):
            guard let promise = pendingUnsubscribes.removeValue(forKey: unsuback.packetID) else { return .none }
            let failure = unsuback.reasonCodes.first(where: \.isFailure).map(MQTTClientError.rejected)
            return .completeUnsubscribe(promise, failure)
        case .pingresp:
            return .none
        case .disconnect(let disconnect):
            return .close(.serverDisconnected(disconnect.reasonCode))
        case .connack:
            return .close(.protocolViolation("a second CONNACK"))
        case .connect, .subscribe, .unsubscribe, .pingreq:
            return .close(.protocolViolation("\(packet.name) sent by the broker"))
        }
    }

    private mutating func publishReceived(_ publish: MQTTPublishPacket) -> InboundAction {
        if settings.acknowledgesManually, publish.message.qos != .atMostOnce {
            return publishAwaitingApplication(publish)
        }
        switch publish.message.qos {
        case .atMostOnce:
            return .deliver(publish.message, acknowledgement: nil)
        case .atLeastOnce:
            return .deliver(
                publish.message,
                acknowledgement: .puback(MQTTPublishResponsePacket(packetID: publish.packetID!))
            )
        case .exactlyOnce:
            let packetID = publish.packetID!
            let pubrec = MQTTPacket.pubrec(MQTTPublishResponsePacket(packetID: packetID))
            // [MQTT-4.3.3-9]: until PUBREL, a PUBLISH with this identifier is the same message again.
            guard inboundQoS2.insert(packetID).inserted else { return .send(pubrec) }
            return .deliver(publish.message, acknowledgement: pubrec)
        }
    }

    private mutating func publishAwaitingApplication(_ publish: MQTTPublishPacket) -> InboundAction {
        let packetID = publish.packetID!
        let qos = publish.message.qos
        if awaitingApplication[packetID] != nil {
            // A redelivery of what the application holds: its acknowledgement will answer this copy too.
            return .none
        }
        if qos == .exactlyOnce, inboundQoS2.contains(packetID) {
            // Acknowledged already (PUBREC sent), waiting for PUBREL: the same message again.
            return .send(.pubrec(MQTTPublishResponsePacket(packetID: packetID)))
        }
        awaitingApplication[packetID] = qos
        return .deliverAwaitingAcknowledgement(
            publish.message,
            MQTTInboundAcknowledgement(packetID: packetID, qos: qos, sessionEpoch: sessionEpoch)
        )
    }

    /// The application acknowledges a delivery: the PUBACK or PUBREC to send, or nil when the acknowledgement
    /// belongs to an earlier session or was given already.
    mutating func acknowledge(_ acknowledgement: MQTTInboundAcknowledgement) -> MQTTPacket? {
        guard acknowledgement.sessionEpoch == sessionEpoch,
            awaitingApplication.removeValue(forKey: acknowledgement.packetID) != nil
        else { return nil }
        guard state == .connected else {
            // Sent right after the CONNACK of a resumed session, which redelivers the message.
            acknowledgedWhileDisconnected[acknowledgement.packetID] = acknowledgement.qos
            return nil
        }
        return Self.response(to: acknowledgement.packetID, qos: acknowledgement.qos, inboundQoS2: &inboundQoS2)
    }

    private static func response(to packetID: UInt16, qos: MQTTQoS, inboundQoS2: inout Set<UInt16>) -> MQTTPacket? {
        let response = MQTTPublishResponsePacket(packetID: packetID)
        switch qos {
        case .atMostOnce:
            return nil
        case .atLeastOnce:
            return .puback(response)
        case .exactlyOnce:
            inboundQoS2.insert(packetID)
            return .pubrec(response)
        }
    }

    private mutating func acknowledgementReceived(
        _ response: MQTTPublishResponsePacket,
        expected: OutboundPhase
    ) -> InboundAction {
        let packetID = response.packetID
        guard let record = inFlight[packetID], record.phase == expected else {
            if expected == .awaitingPubRec {
                // The broker still holds a QoS 2 message we no longer know; releasing it ends its handshake.
                var pubrel = MQTTPublishResponsePacket(packetID: packetID)
                if settings.protocolVersion == .v5 { pubrel.reasonCode = .packetIdentifierNotFound }
                return .send(.pubrel(pubrel))
            }
            return .none
        }
        if expected == .awaitingPubRec, !response.reasonCode.isFailure {
            inFlight[packetID]?.phase = .awaitingPubComp
            return .send(.pubrel(MQTTPublishResponsePacket(packetID: packetID)))
        }
        inFlight[packetID] = nil
        let failure = response.reasonCode.isFailure ? MQTTClientError.rejected(response.reasonCode) : nil
        let (next, failed) = drainQueue()
        return .completePublish(record.promise, failure, next: next, failed: failed)
    }
}

// MARK: - Keep alive

extension MQTTConnectionStateMachine {
    enum KeepAliveAction: Hashable {
        case none
        case sendPingReq
        /// Nothing arrived within the keep alive after our PINGREQ.
        case closeDeadConnection
    }

    mutating func packetSent(at now: NIODeadline) {
        lastPacketSent = now
    }

    /// Any packet arrived (CONNACK included): the connection is alive.
    mutating func packetReceived(at now: NIODeadline) {
        lastPacketReceived = now
        pingSentAt = nil
    }

    /// How often the keep alive timer should fire; nil when neither keep alive nor partition detection is on.
    var keepAliveCheckInterval: TimeAmount? {
        let keepAliveCheck = keepAlive.nanoseconds > 0 ? keepAlive.nanoseconds / 2 : Int64.max
        // A sixth of the partition timeout: PINGREQ after a third of silence, dead after another third, each
        // noticed at most a sixth late, so a partition is declared within the timeout.
        let partitionCheck = settings.partitionTimeout.map { $0.nanoseconds / 6 } ?? Int64.max
        let interval = min(keepAliveCheck, partitionCheck)
        return interval == Int64.max ? nil : .nanoseconds(max(interval, 1_000_000))
    }

    /// Called every ``keepAliveCheckInterval`` while connected.
    mutating func keepAliveTimerFired(now: NIODeadline) -> KeepAliveAction {
        guard state == .connected else { return .none }
        let partitionThird = settings.partitionTimeout.map { TimeAmount.nanoseconds($0.nanoseconds / 3) }
        if let pingSentAt {
            var deadline = keepAlive.nanoseconds > 0 ? keepAlive : (partitionThird ?? keepAlive)
            if let partitionThird, partitionThird < deadline { deadline = partitionThird }
            return now - pingSentAt >= deadline ? .closeDeadConnection : .none
        }
        // Half the keep alive leaves the broker a comfortable margin ([MQTT-3.1.2-23] allows 1.5x on its side).
        let idleSending = keepAlive.nanoseconds > 0 && now - lastPacketSent >= .nanoseconds(keepAlive.nanoseconds / 2)
        // A partition shows as silence from the broker, even while we keep sending (publishes without answers).
        let silent = partitionThird.map { now - lastPacketReceived >= $0 } ?? false
        guard idleSending || silent else { return .none }
        pingSentAt = now
        return .sendPingReq
    }
}
