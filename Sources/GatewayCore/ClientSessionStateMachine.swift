import DequeModule
import MQTTSN
import NIOCore

/// One MQTT-SN client's whole session in transparent mode, without any I/O: the connect exchange, the will, the
/// topic ids, the subscriptions, the state of its upstream MQTT session, the uplink QoS 1/2 exchanges and the
/// downlink queue with its one in-flight message.
///
/// Every method takes an event (a packet from the client, a completion from the upstream session, a timer tick)
/// and returns the ``ClientSessionAction`` the ``GatewayEngine`` carries out; the engine holds nothing of the
/// session but its I/O handles (address, transport, upstream connection). Time is passed in, so tests drive it
/// with table-like sequences and no channel or clock. ``nextDelivery(now:)`` is the machine's answer to "anything
/// else to send?", asked after every event until it says ``ClientSessionAction/none``.
///
/// The client's side (MQTT-SN 1.2 section 6.14):
///
/// ```
/// CONNECT ──(will flag)──▶ awaitingWillTopic ──WILLTOPIC──▶ awaitingWillMessage(topic) ──WILLMSG──┐
///    └────────────────────────────────────────────────────────────────────────────────────────▶ connectingUpstream
/// connectingUpstream ──upstream up──▶ active ◀──PINGRESP after delivery── awake(d) ◀──PINGREQ── asleep(d)
///        active ──DISCONNECT(d)──▶ asleep(d)
///        any ──DISCONNECT / loss──▶ closed (clean session)  or  disconnected (clean session off)
///        disconnected ──CONNECT, clean session off──▶ awaitingWillTopic / connectingUpstream, state kept
/// ```
///
/// A `disconnected` session keeps everything (topic ids, subscriptions, will, queue, QoS 2 state) for the client's
/// next clean-session-off CONNECT; the gateway forgets a session only when its state is `closed`.
///
/// The upstream side (``Upstream``), independent of the client's: a lost connection does not end the client's
/// session; the upstream session reconnects with backoff and restores the subscriptions.
///
/// ```
/// idle ──start──▶ connecting ──broker CONNACK──▶ up ──will update──▶ reestablishing(response) ──up──▶ up
///                       up ──connection lost──▶ down(retryAt: nil) ──reconnected──▶ up   (the MQTT client retries)
///  reestablishing / reconnecting ──connect failed──▶ down(retryAt: t) ──tick ≥ t──▶ reconnecting ──up──▶ up
/// ```
struct ClientSessionStateMachine: Sendable {
    /// Where the client is in its lifecycle; each state carries what only it needs.
    enum State: Hashable, Sendable {
        case awaitingWillTopic
        /// WILLTOPIC received; its topic and flags wait for the WILLMSG.
        case awaitingWillMessage(MQTTSNWill)
        case connectingUpstream
        case active
        /// Sleeping for `duration` seconds: broker messages are buffered.
        case asleep(duration: UInt16)
        /// Woken by PINGREQ: buffered messages are being delivered, then PINGRESP sends it back to sleep.
        case awake(duration: UInt16)
        /// A clean-session-off client that left or was lost: its session waits for its next CONNECT.
        case disconnected
        /// Over; the gateway forgets the session.
        case closed
    }

    /// The client's upstream MQTT session, as far as the session logic is concerned.
    enum Upstream: Hashable, Sendable {
        /// Not opened yet (the will exchange is still going on).
        case idle
        /// The first CONNECT is on its way to the broker; the client gets its CONNACK when it is answered.
        case connecting
        case up
        /// Closed gracefully for a will update and being opened again with the new will; `response`
        /// (WILLTOPICRESP or WILLMSGRESP) goes to the client once it is up and the subscriptions are restored.
        case reestablishing(response: MQTTSNPacket)
        /// The connection is gone. With `retryAt` nil the MQTT client reconnects on its own (with backoff); with a
        /// deadline the gateway opens a new one then (a connect attempt failed). `thenSend` is a will update's
        /// answer still due.
        case down(retryAt: NIODeadline?, attempt: Int, thenSend: MQTTSNPacket?)
        /// The gateway's attempt number `attempt` to open it again.
        case reconnecting(attempt: Int, thenSend: MQTTSNPacket?)
    }

    /// Limits and timings shared by all sessions of a gateway.
    struct Settings: Sendable {
        var retryInterval: TimeAmount
        var retryCount: Int
        var keepAliveGraceFactor: Double
        /// How many QoS 0 messages a sleeping client's buffer keeps (``GatewayConfiguration/sleepBufferSize``).
        var queueLimit: Int
        var connectTimeout: TimeAmount
        var rateLimit: GatewayConfiguration.RateLimit?
        var maxTopicsPerClient: Int
        /// How many broker messages may wait for the client (``GatewayConfiguration/downlinkQueueSize``).
        var downlinkQueueLimit: Int = 1000
        /// Backoff of the gateway's own attempts to open the upstream session again.
        var reconnectInitialDelay: TimeAmount = .seconds(1)
        var reconnectMaximumDelay: TimeAmount = .seconds(60)
        /// Whether QoS 1/2 PUBLISHes go into the durable outage buffer while the upstream session is down
        /// (`gateway.outage_buffer` with a durable store).
        var outageBuffering = false
    }

    /// A broker message for the client, with what acknowledges it upstream once the client has it.
    struct Downlink: Hashable, Sendable {
        var message: UpstreamMessage
        var acknowledgement: UpstreamAcknowledgement?
        /// Sent again already after the client answered PUBACK "invalid topic id" (section 6.8: register, resend).
        var resentAfterInvalidTopic = false
    }

    /// A gateway-to-client message waiting for its acknowledgement.
    struct InFlight: Hashable, Sendable {
        enum Stage: Hashable, Sendable, Codable {
            /// REGISTER sent for the message's topic, waiting for REGACK.
            case registering(topicID: UInt16)
            /// QoS 1 PUBLISH sent, waiting for PUBACK.
            case awaitingPublishAck
            /// QoS 2 PUBLISH sent, waiting for PUBREC.
            case awaitingPublishReceived
            /// PUBREL sent, waiting for PUBCOMP.
            case awaitingPublishComplete
        }

        var downlink: Downlink
        var messageID: UInt16
        var stage: Stage
        /// What a retransmission sends again (with DUP set for PUBLISH).
        var packet: MQTTSNPacket
        var retransmissions: Int
        var deadline: NIODeadline

        var message: UpstreamMessage { self.downlink.message }
    }

    // The stored state is internal rather than private only because the event handlers live in
    // `ClientSessionStateMachine+*.swift` files; nothing outside the state machine's own methods mutates it.
    let clientID: String
    /// Shared by all sessions of the gateway (``ClientSessionSettings``).
    let sharedSettings: ClientSessionSettings
    var settings: Settings { self.sharedSettings.value }
    var state: State
    var upstream: Upstream = .idle
    var cleanSession: Bool
    /// Seconds; 0 means no keepalive supervision.
    var keepAlive: UInt16
    var will: UpstreamMessage?
    /// When the client was last heard from; keepalive and sleep supervision count from here.
    var lastHeard: NIODeadline

    var registry: TopicRegistry
    /// Topic filters the broker granted, so that a re-established upstream session gets them back.
    var subscriptions: [String: UpstreamQoS] = [:]
    /// Broker messages waiting for delivery (the one in flight is in ``inFlight``); an empty queue takes no
    /// storage, which is what most sessions have.
    var queue: Deque<Downlink> = []
    /// Upstream acknowledgements due (the client has the message, or it was dropped), handed out by
    /// ``nextDelivery(now:)`` in order.
    var acknowledgementsDue: [UpstreamAcknowledgement] = []
    /// Set when the session continues one the gateway kept (``reconnect(_:now:)``): a failed upstream connect then
    /// returns it to `disconnected` instead of forgetting it.
    var isReconnecting = false
    var inFlight: InFlight?
    var nextMessageID: UInt16 = 1
    /// Message ids of the client's QoS 1 and 2 PUBLISHes the broker has not acknowledged yet.
    var publishingUpstream: Set<UInt16> = []
    /// Message ids of the client's QoS 2 PUBLISHes acknowledged with PUBREC, waiting for PUBREL.
    var awaitingRelease: Set<UInt16> = []
    var rateLimiter: TokenBucket?
    /// Messages of this client wait in the outage buffer (or are being forwarded from it): new QoS 1/2 PUBLISHes
    /// join them there, so that the broker gets everything in order. Set and cleared by the gateway.
    var hasOutageBacklog = false
    /// The largest packet the client can take (``ClientSessionStateMachine/dropIfTooLarge(_:)``); the gateway
    /// sets it from its configuration and the client's transport.
    var maximumPacketSize = Int.max

    /// Starts a session for a CONNECT; assigned topic ids start at `firstTopicID` (see ``TopicIDBlocks``).
    init(
        connect: MQTTSNConnect,
        settings: ClientSessionSettings,
        predefinedTopics: PredefinedTopics,
        now: NIODeadline,
        firstTopicID: UInt16 = 1
    ) {
        self.clientID = connect.clientID
        self.sharedSettings = settings
        let settings = settings.value
        self.state = connect.will ? .awaitingWillTopic : .connectingUpstream
        self.cleanSession = connect.cleanSession
        self.keepAlive = connect.duration
        self.lastHeard = now
        self.registry = TopicRegistry(
            limit: settings.maxTopicsPerClient,
            predefined: predefinedTopics,
            firstID: firstTopicID
        )
        self.rateLimiter = Self.makeRateLimiter(settings, now: now)
    }

    static func makeRateLimiter(_ settings: Settings, now: NIODeadline) -> TokenBucket? {
        settings.rateLimit.map { TokenBucket(ratePerSecond: $0.messagesPerSecond, burst: $0.burst, now: now) }
    }

    /// What the gateway does right after creating (or restoring) the session: ask for the will, or connect
    /// upstream; a restored disconnected session waits for its client.
    mutating func start() -> ClientSessionAction {
        switch self.state {
        case .awaitingWillTopic:
            return .send(.willTopicRequest(MQTTSNWillTopicRequest()))
        case .disconnected, .closed:
            return .none
        case .awaitingWillMessage, .connectingUpstream, .active, .asleep, .awake:
            self.upstream = .connecting
            return .connectUpstream
        }
    }

    /// Whether the session counts as connected for traffic other than the connect exchange.
    var isEstablished: Bool {
        switch self.state {
        case .active, .asleep, .awake: true
        case .awaitingWillTopic, .awaitingWillMessage, .connectingUpstream, .disconnected, .closed: false
        }
    }

    /// Whether the connect exchange is going on (a repeated CONNECT is then answered by its outcome).
    var isConnecting: Bool {
        switch self.state {
        case .awaitingWillTopic, .awaitingWillMessage, .connectingUpstream: true
        case .active, .asleep, .awake, .disconnected, .closed: false
        }
    }

    /// Whether the upstream session can take publishes and subscriptions now.
    var isUpstreamUp: Bool { self.upstream == .up }

    /// How the session ends when the client leaves or is lost: kept for a clean-session-off client.
    var endState: State { self.cleanSession ? .closed : .disconnected }

    /// Whether the client is sleeping or awake (section 6.14), with its sleep duration.
    var sleepDuration: UInt16? {
        switch self.state {
        case .asleep(let duration), .awake(let duration): duration
        default: nil
        }
    }

    /// How many broker messages wait for delivery, in-flight one included.
    var pendingDeliveries: Int {
        self.queue.count + (self.inFlight == nil ? 0 : 1)
    }

    /// Whether any QoS 1 or 2 exchange is unfinished in either direction (for a graceful shutdown).
    var hasUnfinishedExchanges: Bool {
        !self.publishingUpstream.isEmpty || !self.awaitingRelease.isEmpty || self.inFlight != nil
    }

    mutating func heard(at now: NIODeadline) {
        self.lastHeard = now
    }

    mutating func takeMessageID() -> UInt16 {
        let id = self.nextMessageID
        self.nextMessageID = self.nextMessageID == .max ? 1 : self.nextMessageID + 1
        return id
    }
}
