import NIOCore
import SessionStore

/// Everything the gateway core needs to run, with defaults suited to a small edge device.
///
/// `snbridge` maps its YAML file onto this type; each property names the YAML key it comes from. Call
/// ``validate()`` before starting a ``Gateway``: it reports every problem with the YAML key path of the field.
public struct GatewayConfiguration: Sendable {
    /// The upstream MQTT broker every client session connects to (`broker.*`).
    public var upstream: Upstream

    /// The gateway id announced in GWINFO and ADVERTISE (`gateway.id`). Defaults to 1.
    public var gatewayID: UInt8

    /// How many MQTT-SN clients may have a session at once (`gateway.max_clients`). Beyond it, CONNECT is answered
    /// with CONNACK "rejected: congestion" (0x01). A slot is freed as soon as a client disconnects or is lost.
    /// Defaults to 10,000.
    public var maxClients: Int

    /// How many topic ids (registered through REGISTER, SUBSCRIBE or gateway-initiated REGISTER) one client may hold
    /// (`gateway.max_topics_per_client`). Beyond it, REGISTER and SUBSCRIBE are answered with "rejected:
    /// congestion" (0x01), because the client may free ids by unsubscribing or reconnecting. Predefined topic ids
    /// and short names do not count. Defaults to 64.
    public var maxTopicsPerClient: Int

    /// How long the gateway waits for a client's acknowledgement (PUBACK, PUBREC, PUBCOMP, REGACK) before it
    /// retransmits (`gateway.retry_interval`). Defaults to 10 seconds (the specification's suggested T_retry).
    public var retryInterval: TimeAmount

    /// How many times the gateway retransmits before it considers the client lost (`gateway.retry_count`).
    /// Defaults to 3 (the specification's suggested N_retry).
    public var retryCount: Int

    /// How many broker messages are kept for a client that is asleep (`gateway.sleep_buffer`). QoS 1/2 messages
    /// beyond it stay with the broker (unacknowledged, so it holds them back); a QoS 0 message beyond it drops the
    /// oldest QoS 0 one, counted. Defaults to 100.
    public var sleepBufferSize: Int

    /// How many broker messages wait for an awake client whose delivery window is busy (`gateway.downlink_queue`).
    /// The upstream session's receive window follows it, so the broker holds back instead of the gateway dropping;
    /// what still overflows is dropped, counted and logged. Defaults to 1000.
    public var downlinkQueueSize: Int

    /// The per-client PUBLISH rate limit (`gateway.rate_limit.*`), `nil` for none. Defaults to none.
    public var rateLimit: RateLimit?

    /// `gateway.outage_buffer`: while a client's upstream session is down, its QoS 1/2 PUBLISHes go into the session
    /// store's durable outage buffer (up to these caps, per client and in all), are acknowledged once durable and
    /// forwarded in order when the broker is back. `nil` (the default): PUBACK 0x01 "congestion" at once. Needs a
    /// durable store (`state.directory`).
    public var outageBuffer: OutageBufferLimits? = nil

    /// A client silent for longer than its keepalive duration times this factor is lost
    /// (not configurable in YAML; the specification's 1.5).
    public var keepAliveGraceFactor: Double

    /// The largest MQTT-SN message accepted or sent, in octets (`gateway.max_message_size`). Longer inbound
    /// messages are counted as malformed; broker messages too long for it are dropped and counted. Defaults to 1024.
    public var maxMessageSize: Int

    /// The longest client id accepted in CONNECT and PINGREQ, in UTF-8 octets (`gateway.max_client_id_length`).
    /// The specification says 1...23 characters; real devices often use longer ids (MAC addresses, serial numbers)
    /// and MQTT brokers accept them, so the default is 64. A longer or empty one gets CONNACK 0x03.
    public var maxClientIDLength: Int

    /// The longest topic name accepted in REGISTER, SUBSCRIBE, UNSUBSCRIBE, WILLTOPIC and WILLTOPICUPD, in UTF-8
    /// octets (`gateway.max_topic_name_length`), at most ``maxMessageSize``. A longer one gets the message's
    /// "rejected: not supported" (0x03) answer. Defaults to 512.
    public var maxTopicNameLength: Int

    /// Predefined topic ids every client may use (`gateway.predefined_topics`).
    public var predefinedTopics: [UInt16: String]

    /// Per-client settings by MQTT-SN client id (`gateway.clients.<id>.*`).
    public var clients: [String: ClientOverrides]

    /// Whether and from where QoS -1 publishes are accepted (`gateway.qos_minus_one.*`).
    public var qosMinusOne: QoSMinusOne

    /// Forwarders over UDP (`udp.forwarders.*`): which sources may relay wireless nodes' messages.
    public var forwarders: Forwarders

    /// Periodic ADVERTISE broadcasts (`udp.advertise.*`), `nil` for none. Defaults to none.
    public var advertise: Advertise?

    /// Multicast groups joined for discovery (`udp.multicast`): SEARCHGW there is answered with GWINFO, and
    /// ADVERTISE to a group leaves out of its interface. Defaults to none.
    public var multicast: [Multicast]

    /// The UDP listeners as `host:port` (IPv6 hosts in brackets, e.g. `[::]:1884`) (`udp.listeners`).
    /// Defaults to `0.0.0.0:1884` and `[::]:1884` (IPv6-only socket, so both bind; skipped where IPv6 is off).
    public var udpListeners: [String]

    /// The keepalive (seconds) assumed while a client is connecting, before its CONNECT announced its own.
    /// A half-finished will exchange is dropped after it. Not in YAML. Defaults to 30 seconds.
    public var connectTimeout: TimeAmount

    /// How long ``Gateway/shutdown()`` waits for in-flight QoS 1 and 2 messages to complete. Defaults to 5 seconds.
    public var shutdownGracePeriod: TimeAmount

    /// Who may connect as which client, topic ACLs and flood limits (`gateway.authentication`, `gateway.acl_file`,
    /// ...); see ``Security``.
    public var security: Security

    /// DTLS listeners (`udp.dtls.*`), `nil` for none.
    public var dtls: DTLS?

    /// `gateway.mode`: a broker session per client (transparent, the default) or every client multiplexed over a
    /// small pool of shared sessions (aggregating, ``Aggregating``).
    public var mode: Mode = .transparent

    /// `gateway.aggregating`: the shared sessions of aggregating mode.
    public var aggregating = Aggregating()

    /// `gateway.transport_modes`: modes by transport, where they differ from ``mode``.
    public var transportModes = TransportModes()

    public init(
        upstream: Upstream = Upstream(),
        gatewayID: UInt8 = 1,
        maxClients: Int = 10_000,
        maxTopicsPerClient: Int = 64,
        retryInterval: TimeAmount = .seconds(10),
        retryCount: Int = 3,
        sleepBufferSize: Int = 100,
        downlinkQueueSize: Int = 1000,
        rateLimit: RateLimit? = nil,
        keepAliveGraceFactor: Double = 1.5,
        maxMessageSize: Int = 1024,
        maxClientIDLength: Int = 64,
        maxTopicNameLength: Int = 512,
        predefinedTopics: [UInt16: String] = [:],
        clients: [String: ClientOverrides] = [:],
        qosMinusOne: QoSMinusOne = QoSMinusOne(),
        forwarders: Forwarders = Forwarders(),
        advertise: Advertise? = nil,
        multicast: [Multicast] = [],
        udpListeners: [String] = ["0.0.0.0:1884", "[::]:1884"],
        connectTimeout: TimeAmount = .seconds(30),
        shutdownGracePeriod: TimeAmount = .seconds(5),
        security: Security = Security(),
        dtls: DTLS? = nil
    ) {
        self.upstream = upstream
        self.gatewayID = gatewayID
        self.maxClients = maxClients
        self.maxTopicsPerClient = maxTopicsPerClient
        self.retryInterval = retryInterval
        self.retryCount = retryCount
        self.sleepBufferSize = sleepBufferSize
        self.downlinkQueueSize = downlinkQueueSize
        self.rateLimit = rateLimit
        self.keepAliveGraceFactor = keepAliveGraceFactor
        self.maxMessageSize = maxMessageSize
        self.maxClientIDLength = maxClientIDLength
        self.maxTopicNameLength = maxTopicNameLength
        self.predefinedTopics = predefinedTopics
        self.clients = clients
        self.qosMinusOne = qosMinusOne
        self.forwarders = forwarders
        self.advertise = advertise
        self.multicast = multicast
        self.udpListeners = udpListeners
        self.connectTimeout = connectTimeout
        self.shutdownGracePeriod = shutdownGracePeriod
        self.security = security
        self.dtls = dtls
    }
}
