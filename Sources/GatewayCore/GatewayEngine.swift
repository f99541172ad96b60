import Logging
import MQTTSN
import MQTTSNTransport
import NIOCore
import SessionStore

/// Everything the gateway does, confined to one event loop: sessions, address map, timers, counters.
///
/// All stored properties are only read and written on `eventLoop`; every entry point either runs there or hops
/// there first. That is why the class can be `@unchecked Sendable`: the loop is its lock. One loop for all session
/// logic keeps it free of locks and allocation-light; the upstream TCP connections are spread over the whole
/// event-loop group by the ``UpstreamSessionFactory``.
final class GatewayEngine: @unchecked Sendable {
    let eventLoop: any EventLoop
    let configuration: GatewayConfiguration
    let upstreamFactory: any UpstreamSessionFactory
    /// The topic access of every client when there is no ACL file, compiled once and shared (copy on write)
    /// instead of once per session.
    lazy var unrestrictedTopicAccess = ClientTopicAccess.unrestricted(
        protected: self.configuration.security.protectedTopicFilters
    )
    var logger: Logger
    let settings: ClientSessionSettings
    let decodingLimits: MQTTSNDecodingLimits
    let globalPredefinedTopics: PredefinedTopics
    let clientPredefinedTopics: [String: PredefinedTopics]
    let qosMinusOneSources: [SourceAddressPrefix]
    let forwarderSources: [SourceAddressPrefix]

    /// Sessions with a client: connecting, active, asleep or awake.
    var sessions: [String: ClientSession] = [:]
    /// Clean-session-off sessions whose client left or was lost, waiting for its next CONNECT (oldest first in
    /// ``keptOrder``, which may hold ids taken back since).
    var keptSessions: [String: ClientSession] = [:]
    var keptOrder = CircularBuffer<String>(initialCapacity: 16)
    var downlinkDropWarnings = WarningThrottle()
    /// Where new sessions' topic ids start.
    var topicIDBlocks: TopicIDBlocks
    /// The durable session store and what of it the engine tracks (``GatewayEngine+Persistence``).
    var stored: StoredSessions
    /// Client id prefixes of serial devices (from their discovery rule), by device name.
    var deviceClientIDPrefixes: [String: String] = [:]
    var clientIDsByAddress: [MQTTSNClientAddress: String] = [:]
    var transports: [any MQTTSNTransport] = []
    var transportsToFlush: [ObjectIdentifier: any MQTTSNTransport] = [:]
    /// Upstream sessions published to since the last flush: a burst of PUBLISHes leaves in one write per session.
    var upstreamsToFlush: [ObjectIdentifier: any UpstreamSession] = [:]
    var isEndOfTurnFlushScheduled = false
    var congestionWarnings = WarningThrottle()
    var metrics = GatewayMetrics()
    var recentlyLost = CircularBuffer<GatewaySessionSnapshot>(initialCapacity: 16)
    var isShuttingDown = false
    var malformedWarnings = WarningThrottle()
    var refusalWarnings = WarningThrottle()
    var tickTask: RepeatedTask?
    /// Every session's next deadline (``armTimer(for:)``); ``tickTask`` hands out the due ones.
    var timerWheel: TimerWheel<String>
    /// The last ``ClientSession/incarnation`` handed out.
    var lastIncarnation: UInt64 = 0
    var advertiseTask: RepeatedTask?
    /// The `udp.multicast` groups joined, with their sockets (also in ``transports``).
    var multicastMemberships: [MulticastMembership] = []
    /// ADVERTISE destinations already warned about as unreachable.
    var unreachableAdvertiseDestinations: Set<SocketAddress> = []
    /// How many SEARCHGW the gateway answers (``searchGatewayBudgetPerSecond``, ``searchGatewayBurst``), whoever
    /// asks: a flood of SEARCHGW, forged or not, must not become a flood of GWINFO to a group or a victim.
    lazy var searchGatewayBudget = TokenBucket(
        ratePerSecond: Self.searchGatewayBudgetPerSecond,
        burst: Self.searchGatewayBurst,
        now: self.eventLoop.now
    )
    var searchGatewayWarnings = WarningThrottle()
    var gatewayUpstream: (any UpstreamSession)?
    /// Upstream sessions closing with DISCONNECT, by client id, until they are closed.
    var upstreamClosing: [String: EventLoopFuture<Void>] = [:]
    var gatewayUpstreamConnected: EventLoopFuture<Void>?
    /// Where session events go (``Gateway/sessionEvents()``).
    var sessionEvents = GatewaySessionEventSink()
    /// Who may connect and what sessions may cost (`GatewayEngine+Admission.swift`).
    var admission: AdmissionState
    /// Sessions by state and queue depths, kept up to date as sessions change (``updateGauges(of:)``).
    var gauges = GatewayGauges()
    /// The client ids of ``sessions`` sorted, for paging through them; `nil` after the table changed.
    var sessionOrder: [String]?

    static let recentlyLostLimit = 64
    /// How long a new upstream session for a client waits for the previous one to close.
    static let upstreamCloseTimeout = TimeAmount.seconds(2)

    init(
        configuration: GatewayConfiguration,
        eventLoop: any EventLoop,
        upstreamFactory: any UpstreamSessionFactory,
        persistence: (any SessionPersistence)? = nil,
        logger: Logger
    ) {
        self.stored = StoredSessions(store: persistence)
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.upstreamFactory = upstreamFactory
        self.logger = logger
        self.settings = ClientSessionSettings(
            ClientSessionStateMachine.Settings(
                retryInterval: configuration.retryInterval,
                retryCount: configuration.retryCount,
                keepAliveGraceFactor: configuration.keepAliveGraceFactor,
                queueLimit: configuration.sleepBufferSize,
                connectTimeout: configuration.connectTimeout,
                rateLimit: configuration.rateLimit,
                maxTopicsPerClient: configuration.maxTopicsPerClient,
                downlinkQueueLimit: configuration.downlinkQueueSize,
                reconnectInitialDelay: configuration.upstream.reconnectBackoff.initialDelay,
                reconnectMaximumDelay: configuration.upstream.reconnectBackoff.maximumDelay,
                outageBuffering: configuration.outageBuffer != nil && persistence?.isDurable == true
            )
        )
        self.topicIDBlocks = TopicIDBlocks(maxTopicsPerClient: configuration.maxTopicsPerClient)
        self.decodingLimits = MQTTSNDecodingLimits(
            maximumMessageLength: configuration.maxMessageSize,
            maximumClientIDLength: configuration.maxClientIDLength,
            maximumTopicNameLength: configuration.maxTopicNameLength
        )
        self.globalPredefinedTopics = PredefinedTopics(global: configuration.predefinedTopics)
        var clientPredefinedTopics: [String: PredefinedTopics] = [:]
        for (clientID, overrides) in configuration.clients where !overrides.predefinedTopics.isEmpty {
            clientPredefinedTopics[clientID] = PredefinedTopics(
                global: configuration.predefinedTopics,
                clientSpecific: overrides.predefinedTopics
            )
        }
        self.clientPredefinedTopics = clientPredefinedTopics
        self.qosMinusOneSources = configuration.qosMinusOne.allowedSources.compactMap(SourceAddressPrefix.init)
        self.forwarderSources = configuration.forwarders.allowedSources.compactMap(SourceAddressPrefix.init)
        self.admission = AdmissionState(configuration: configuration)
        self.timerWheel = TimerWheel(resolution: Self.tickInterval(for: configuration), origin: eventLoop.now)
    }

    // MARK: Inbound

    func receive(_ datagram: ByteBuffer, from sender: MQTTSNClientAddress, via transport: any MQTTSNTransport) {
        self.eventLoop.assertInEventLoop()
        self.metrics.messageIn()
        let bytes: ByteBuffer
        let address: MQTTSNClientAddress
        switch self.unwrapForwarded(datagram, from: sender) {
        case .direct: (bytes, address) = (datagram, sender)
        case .relayed(let message, let node): (bytes, address) = (message, node)
        case .dropped: return
        }
        var buffer = bytes
        let packet: MQTTSNPacket
        do {
            packet = try MQTTSNPacket.decode(from: &buffer, limits: self.decodingLimits)
        } catch {
            if self.refuseUndecodable(bytes, error: error, from: address, via: transport) {
                return
            }
            self.metrics.malformed()
            self.logMalformed(address: address, error: error, size: bytes.readableBytes)
            return
        }
        self.refillSendBudget(of: address, receivedOctets: bytes.readableBytes)
        self.dispatch(packet, from: address, via: transport)
    }

    /// Logs a malformed message at warning level at most once per second, so that a peer sending garbage cannot
    /// flood the log; the others go to debug level, and all are counted in the metrics.
    func logMalformed(address: MQTTSNClientAddress, error: any Error, size: Int) {
        let metadata: Logger.Metadata = [
            "peer.address": "\(address)",
            "error.description": "\(error)",
            "message.size": "\(size)",
            "malformed.suppressed": "\(self.malformedWarnings.suppressed)",
        ]
        if self.malformedWarnings.admit() {
            self.logger.warning("Malformed MQTT-SN message dropped", metadata: metadata)
            self.malformedWarnings.resetSuppressed()
        } else {
            self.logger.debug("Malformed MQTT-SN message dropped", metadata: metadata)
        }
    }

    func receiveBurstComplete(via transport: any MQTTSNTransport) {
        self.eventLoop.assertInEventLoop()
        self.flushPendingWrites()
    }

    private func dispatch(_ packet: MQTTSNPacket, from address: MQTTSNClientAddress, via transport: any MQTTSNTransport)
    {
        let now = self.eventLoop.now
        switch packet {
        case .searchGateway:
            self.searchGatewayReceived(from: address, via: transport)
        case .connect(let connect):
            self.connectReceived(connect, from: address, via: transport, now: now)
        case .publish(let publish) where publish.qos == .fireAndForget:
            self.qosMinusOnePublishReceived(publish, from: address)
        case .pingRequest(let ping):
            if let clientID = ping.clientID, let session = self.sessions[clientID],
                self.mayWake(session, from: address, via: transport)
            {
                // A sleeping client may wake up behind a new NAT mapping: its client id says who it is.
                self.rebind(session, to: address, via: transport)
            }
            guard let session = self.session(for: address, via: transport) else {
                self.unknownClient(packet.messageType, from: address, via: transport)
                return
            }
            session.messagesIn += 1
            if let outOfOrder = session.machine.refuseOutOfOrder(.pingRequest, now: now) {
                self.perform(outOfOrder, for: session)
                return
            }
            // Never answered here; counts as hearing from the client (`gateway.idle_session_timeout`).
            _ = self.refusedByAdmission(packet, for: session, now: now)
            self.perform(session.machine.pingRequestReceived(ping, now: now), for: session)
            self.deliverPending(to: session, now: now)
        case .forwarderEncapsulation(let encapsulation):
            // For transports that hand over encapsulated messages as they are; SerialLink unwraps in its framing
            // and UDP before decoding (unwrapForwarded).
            guard case .serial(let device, nil) = address else {
                self.metrics.dropped("forwarder_unsupported")
                return
            }
            let nodeID = Array(encapsulation.wirelessNodeID.readableBytesView)
            self.dispatch(encapsulation.message, from: .serial(device: device, wirelessNodeID: nodeID), via: transport)
        case .advertise, .gatewayInfo:
            // Another gateway announcing itself; nothing to do for a gateway.
            break
        default:
            guard let session = self.session(for: address, via: transport) else {
                self.unknownClient(packet.messageType, from: address, via: transport)
                return
            }
            self.sessionPacketReceived(packet, for: session, now: now)
        }
    }

    private func sessionPacketReceived(_ packet: MQTTSNPacket, for session: ClientSession, now: NIODeadline) {
        session.messagesIn += 1
        if let outOfOrder = session.machine.refuseOutOfOrder(packet.messageType, now: now) {
            self.perform(outOfOrder, for: session)
            return
        }
        if self.refusedByAdmission(packet, for: session, now: now) {
            return
        }
        let action: ClientSessionAction
        switch packet {
        case .willTopic(let willTopic): action = session.machine.willTopicReceived(willTopic, now: now)
        case .willMessage(let willMessage): action = session.machine.willMessageReceived(willMessage, now: now)
        case .register(let register): action = session.machine.registerReceived(register, now: now)
        case .registerAck(let ack): action = session.machine.registerAckReceived(ack, now: now)
        case .publish(let publish): action = session.machine.publishReceived(publish, now: now)
        case .publishAck(let ack): action = session.machine.publishAckReceived(ack, now: now)
        case .publishReceived(let received): action = session.machine.publishReceivedReceived(received, now: now)
        case .publishRelease(let release): action = session.machine.publishReleaseReceived(release, now: now)
        case .publishComplete(let complete): action = session.machine.publishCompleteReceived(complete, now: now)
        case .subscribe(let subscribe): action = session.machine.subscribeReceived(subscribe, now: now)
        case .unsubscribe(let unsubscribe): action = session.machine.unsubscribeReceived(unsubscribe, now: now)
        case .disconnect(let disconnect): action = session.machine.disconnectReceived(disconnect, now: now)
        case .willTopicUpdate(let update): action = session.machine.willTopicUpdateReceived(update, now: now)
        case .willMessageUpdate(let update): action = session.machine.willMessageUpdateReceived(update, now: now)
        default:
            // Gateway-to-client messages (CONNACK, SUBACK, ...) sent by a client.
            session.machine.heard(at: now)
            action = .dropped(.unexpected)
        }
        self.perform(action, for: session)
        self.deliverPending(to: session, now: now)
    }

    /// The specification lets only connected clients use REGISTER, PUBLISH (QoS 0...2), SUBSCRIBE and the rest
    /// (sections 6.2 and 6.14: a client in the disconnected or lost state must CONNECT first). A DISCONNECT tells
    /// such a client, e.g. one whose session the gateway lost after a restart, to connect again, as the Paho
    /// gateway does. QoS -1 PUBLISH and SEARCHGW never get here.
    func unknownClient(
        _ type: MQTTSNMessageType,
        from address: MQTTSNClientAddress,
        via transport: any MQTTSNTransport
    ) {
        self.metrics.unknownClientMessage()
        switch type {
        case .disconnect, .pingResponse, .connectAck:
            // Answering a DISCONNECT with DISCONNECT could ping-pong with a confused peer.
            return
        default:
            self.logger.debug(
                "Message from a client without a session answered with DISCONNECT",
                metadata: ["peer.address": "\(address)", "message.type": "\(type)"]
            )
            self.send(.disconnect(MQTTSNDisconnect()), to: address, via: transport)
        }
    }

    func session(for address: MQTTSNClientAddress) -> ClientSession? {
        guard let clientID = self.clientIDsByAddress[address] else {
            return nil
        }
        return self.sessions[clientID]
    }

    /// The session at `address` when the datagram came over its transport. A session on a DTLS association owns
    /// its address only through that association: a plain datagram with the same source address, which anyone on
    /// the path can forge, is not from it (and a DTLS datagram is not from a plain session at that address).
    func session(for address: MQTTSNClientAddress, via transport: any MQTTSNTransport) -> ClientSession? {
        guard let session = self.session(for: address) else {
            return nil
        }
        if session.transport !== transport,
            session.transport is any MQTTSNAuthenticatingTransport || transport is any MQTTSNAuthenticatingTransport
        {
            return nil
        }
        return session
    }

    /// Points the session at a new address (NAT rebinding, new port after a reboot), or confirms it (`force`).
    ///
    /// An address belongs to one session: a session that held it before loses it and gets nothing until its
    /// client talks again from somewhere (PINGREQ with its client id, or CONNECT), so that one client's messages
    /// never reach another's socket and its keepalive expiry does not DISCONNECT the newcomer.
    func rebind(
        _ session: ClientSession,
        to address: MQTTSNClientAddress,
        via transport: any MQTTSNTransport,
        force: Bool = false
    ) {
        guard force || session.address != address || !session.isReachable else {
            return
        }
        if session.address != address {
            if self.clientIDsByAddress[session.address] == session.clientID {
                self.clientIDsByAddress.removeValue(forKey: session.address)
            }
            self.logger.debug(
                "Client address changed",
                metadata: [
                    "client.id": "\(session.clientID)", "peer.address": "\(address)",
                    "peer.previous_address": "\(session.address)",
                ]
            )
        }
        if let previousOwner = self.clientIDsByAddress[address], previousOwner != session.clientID {
            if let other = self.sessions[previousOwner], other.address == address {
                other.isReachable = false
            }
            self.logger.debug(
                "Address taken over by another client id",
                metadata: [
                    "peer.address": "\(address)", "client.id": "\(session.clientID)",
                    "client.previous_id": "\(previousOwner)",
                ]
            )
        }
        session.address = address
        session.transport = transport
        self.refreshMaximumPacketSize(of: session)
        session.isReachable = true
        self.clientIDsByAddress[address] = session.clientID
    }

    // MARK: Outbound

    /// Sends to the session's client, unless another client took its address (then it waits to be heard again).
    func send(_ packet: MQTTSNPacket, to session: ClientSession) {
        guard session.isReachable else {
            self.metrics.dropped("client_unreachable")
            return
        }
        guard self.spendSendBudget(on: packet, for: session) else { return }
        session.messagesOut += 1
        self.send(packet, to: session.address, via: session.transport)
    }

    /// Encodes and queues `packet`. A wireless node id in the address is the transport's to encapsulate (see
    /// ``MQTTSNTransport/send(_:to:)``), so the message goes out plain.
    func send(_ packet: MQTTSNPacket, to address: MQTTSNClientAddress, via transport: any MQTTSNTransport) {
        var buffer = ByteBufferAllocator().buffer(capacity: 16)
        do {
            try packet.encode(into: &buffer)
        } catch {
            self.metrics.dropped("unencodable")
            self.logger.error(
                "MQTT-SN message could not be encoded",
                metadata: [
                    "peer.address": "\(address)", "message.type": "\(packet.messageType)",
                    "error.description": "\(error)",
                ]
            )
            return
        }
        self.metrics.messageOut()
        transport.send(buffer, to: address)
        self.transportsToFlush[ObjectIdentifier(transport)] = transport
    }

    func flushPendingWrites() {
        if !self.upstreamsToFlush.isEmpty {
            for upstream in self.upstreamsToFlush.values {
                upstream.flush()
            }
            self.upstreamsToFlush.removeAll(keepingCapacity: true)
        }
        guard !self.transportsToFlush.isEmpty else {
            return
        }
        for transport in self.transportsToFlush.values {
            transport.flush()
        }
        self.transportsToFlush.removeAll(keepingCapacity: true)
    }

    func markForFlush(_ upstream: any UpstreamSession) {
        self.upstreamsToFlush[ObjectIdentifier(upstream)] = upstream
    }

    /// Flushes once the event loop has handled everything that is ready now, so that answers caused by many
    /// connections' reads in one turn (the broker's PUBACKs on 25 sessions) leave in one `sendmmsg`.
    func flushAtEndOfTurn() {
        guard !self.isEndOfTurnFlushScheduled else { return }
        self.isEndOfTurnFlushScheduled = true
        self.eventLoop.execute { [self] in
            self.isEndOfTurnFlushScheduled = false
            self.flushPendingWrites()
        }
    }

    /// Publishes a message nobody acknowledges (QoS 0, QoS -1), left for the next flush. While the session is
    /// congested the message is dropped and counted instead, with a notice at most once per second.
    func publishUnacknowledged(_ message: UpstreamMessage, via upstream: any UpstreamSession, clientID: String) {
        guard upstream.isWritable else {
            self.metrics.dropped(ClientDropReason.upstreamCongested.rawValue)
            if self.congestionWarnings.admit() {
                self.congestionWarnings.resetSuppressed()
                self.logger.notice(
                    "Upstream congested, QoS 0 message dropped",
                    metadata: [
                        "client.id": "\(clientID)",
                        "dropped.total":
                            "\(self.metrics.statistics.droppedMessages[ClientDropReason.upstreamCongested.rawValue] ?? 0)",
                    ]
                )
            }
            return
        }
        self.metrics.publishedUpstream()
        upstream.publish(message, promise: nil)
        self.markForFlush(upstream)
    }
}
