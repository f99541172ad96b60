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
    /// Whether the session reconnects on its own after losing the connection (only the gateway's shared session).
    public var reconnects: Bool

    public init(
        clientID: String,
        cleanSession: Bool,
        keepAlive: UInt16,
        will: UpstreamMessage? = nil,
        username: String? = nil,
        password: String? = nil,
        reconnects: Bool = false
    ) {
        self.clientID = clientID
        self.cleanSession = cleanSession
        self.keepAlive = keepAlive
        self.will = will
        self.username = username
        self.password = password
        self.reconnects = reconnects
    }
}
