import MQTTSN
import NIOCore

/// The protocol logic of one MQTT-SN client in transparent mode, without any I/O.
///
/// Every method takes an event (a packet from the client, a completion from the upstream session, a timer tick)
/// and returns the ``ClientSessionAction`` the ``Gateway`` performs. Time is passed in, so tests drive it with
/// table-like sequences and no channel or clock.
///
/// Lifecycle:
///
/// ```
/// CONNECT ──(will flag)──▶ awaitingWillTopic ──WILLTOPIC──▶ awaitingWillMessage ──WILLMSG──┐
///    └──────────────────────────────────────────────────────────────────────────────────▶ connectingUpstream
/// connectingUpstream ──upstream up──▶ active ◀──PINGRESP after delivery── awake ◀──PINGREQ── asleep
///        active ──DISCONNECT(duration)──▶ asleep;  any ──DISCONNECT / loss──▶ closed
/// ```
struct ClientSessionStateMachine: Sendable {
    /// Where the session is in its lifecycle.
    enum State: Hashable, Sendable {
        case awaitingWillTopic
        case awaitingWillMessage
        case connectingUpstream
        case active
        case asleep
        case awake
        case closed
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
    struct InFlight: Sendable {
        enum Stage: Hashable, Sendable {
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
    var cleanSession: Bool
    /// Seconds; 0 means no keepalive supervision.
    var keepAlive: UInt16
    /// Seconds, while asleep or awake.
    var sleepDuration: UInt16 = 0
    var will: UpstreamMessage?
    var pendingWillTopic: MQTTSNWill?
    /// When the client was last heard from; keepalive and sleep supervision count from here.
    var lastHeard: NIODeadline

    var registry: TopicRegistry
    /// Broker messages waiting for delivery (the one in flight is in ``inFlight``).
    var queue: CircularBuffer<UpstreamMessage>
    var inFlight: InFlight?
    var nextMessageID: UInt16 = 1
    /// Message ids of the client's QoS 1 and 2 PUBLISHes the broker has not acknowledged yet.
    var publishingUpstream: Set<UInt16> = []
    /// Message ids of the client's QoS 2 PUBLISHes acknowledged with PUBREC, waiting for PUBREL.
    var awaitingRelease: Set<UInt16> = []
    var rateLimiter: TokenBucket?

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
        self.rateLimiter = settings.rateLimit.map {
            TokenBucket(ratePerSecond: $0.messagesPerSecond, burst: $0.burst, now: now)
        }
    }

    /// What the gateway does right after creating the session: ask for the will, or connect upstream.
    func start() -> ClientSessionAction {
        switch self.state {
        case .awaitingWillTopic:
            return .send(.willTopicRequest(MQTTSNWillTopicRequest()))
        default:
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
