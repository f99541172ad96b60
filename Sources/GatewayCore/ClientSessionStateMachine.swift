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
///        active ──DISCONNECT(d)──▶ asleep(d);  any ──DISCONNECT / loss──▶ closed
/// ```
///
/// The upstream side (``Upstream``), independent of the client's:
///
/// ```
/// idle ──start──▶ connecting ──broker CONNACK──▶ up ──will update──▶ reestablishing(response) ──up──▶ up
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
    }

    /// Limits and timings shared by all sessions of a gateway.
    struct Settings: Sendable {
        var retryInterval: TimeAmount
        var retryCount: Int
        var keepAliveGraceFactor: Double
        var queueLimit: Int
        var connectTimeout: TimeAmount
        var rateLimit: GatewayConfiguration.RateLimit?
        var maxTopicsPerClient: Int
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

        var message: UpstreamMessage
        var messageID: UInt16
        var stage: Stage
        /// What a retransmission sends again (with DUP set for PUBLISH).
        var packet: MQTTSNPacket
        var retransmissions: Int
        var deadline: NIODeadline
    }

    // The stored state is internal rather than private only because the event handlers live in
    // `ClientSessionStateMachine+*.swift` files; nothing outside the state machine's own methods mutates it.
    let clientID: String
    let settings: Settings
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
    /// Broker messages waiting for delivery (the one in flight is in ``inFlight``).
    var queue: CircularBuffer<UpstreamMessage>
    var inFlight: InFlight?
    var nextMessageID: UInt16 = 1
    /// Message ids of the client's QoS 1 and 2 PUBLISHes the broker has not acknowledged yet.
    var publishingUpstream: Set<UInt16> = []
    /// Message ids of the client's QoS 2 PUBLISHes acknowledged with PUBREC, waiting for PUBREL.
    var awaitingRelease: Set<UInt16> = []
    var rateLimiter: TokenBucket?
    /// The largest packet the client can take (``ClientSessionStateMachine/dropIfTooLarge(_:)``); the gateway
    /// sets it from its configuration and the client's transport.
    var maximumPacketSize = Int.max

    /// Starts a session for a CONNECT.
    init(connect: MQTTSNConnect, settings: Settings, predefinedTopics: PredefinedTopics, now: NIODeadline) {
        self.clientID = connect.clientID
        self.settings = settings
        self.state = connect.will ? .awaitingWillTopic : .connectingUpstream
        self.cleanSession = connect.cleanSession
        self.keepAlive = connect.duration
        self.lastHeard = now
        self.registry = TopicRegistry(limit: settings.maxTopicsPerClient, predefined: predefinedTopics)
        self.queue = CircularBuffer(initialCapacity: 4)
        self.rateLimiter = Self.makeRateLimiter(settings, now: now)
    }

    static func makeRateLimiter(_ settings: Settings, now: NIODeadline) -> TokenBucket? {
        settings.rateLimit.map { TokenBucket(ratePerSecond: $0.messagesPerSecond, burst: $0.burst, now: now) }
    }

    /// What the gateway does right after creating the session: ask for the will, or connect upstream.
    mutating func start() -> ClientSessionAction {
        switch self.state {
        case .awaitingWillTopic:
            return .send(.willTopicRequest(MQTTSNWillTopicRequest()))
        default:
            self.upstream = .connecting
            return .connectUpstream
        }
    }

    /// Whether the session counts as connected for traffic other than the connect exchange.
    var isEstablished: Bool {
        switch self.state {
        case .active, .asleep, .awake: true
        case .awaitingWillTopic, .awaitingWillMessage, .connectingUpstream, .closed: false
        }
    }

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
