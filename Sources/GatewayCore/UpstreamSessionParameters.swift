/// How to open one upstream session.
public struct UpstreamSessionParameters: Sendable {
    /// The MQTT client id (the configured prefix already applied).
    public var clientID: String
    public var cleanSession: Bool
    /// Seconds; 0 disables keepalive.
    public var keepAlive: UInt16
    public var will: UpstreamMessage?
    public var username: String?
    public var password: String?
    /// Whether the session reconnects on its own after losing the connection, with the configured backoff.
    public var reconnects: Bool
    /// How many QoS 1/2 messages the broker may have unacknowledged towards this session (MQTT 5 Receive
    /// Maximum); nil for the client's default.
    public var receiveMaximum: Int?
    /// Which kind of upstream session the client gets (``GatewayConfiguration/mode(forClient:transport:)``), for a
    /// factory that makes both (``ModeRoutingUpstreamFactory``).
    public var mode: GatewayConfiguration.Mode = .transparent

    public init(
        clientID: String,
        cleanSession: Bool,
        keepAlive: UInt16,
        will: UpstreamMessage? = nil,
        username: String? = nil,
        password: String? = nil,
        reconnects: Bool = false,
        receiveMaximum: Int? = nil,
        mode: GatewayConfiguration.Mode = .transparent
    ) {
        self.clientID = clientID
        self.cleanSession = cleanSession
        self.keepAlive = keepAlive
        self.will = will
        self.username = username
        self.password = password
        self.reconnects = reconnects
        self.receiveMaximum = receiveMaximum
        self.mode = mode
    }
}
