import NIOCore

/// One MQTT session with the upstream broker, as the gateway core sees it.
///
/// The core never talks to ``MQTTClient`` directly: it goes through this protocol, implemented for real by
/// ``MQTTClientUpstream`` and by fakes in tests, so that session logic can be tested without a broker.
///
/// Futures may complete on any event loop; the gateway hops to its own.
public protocol UpstreamSession: AnyObject, Sendable {
    /// Opens the session. Fails with ``UpstreamConnectError`` when the broker refuses it.
    func connect() -> EventLoopFuture<Void>
    /// Publishes; the future succeeds once the broker acknowledged it (PUBACK for QoS 1, PUBCOMP for QoS 2) or,
    /// for QoS 0, once written.
    func publish(_ message: UpstreamMessage) -> EventLoopFuture<Void>
    /// Subscribes to one filter; succeeds with the granted QoS, fails when the broker refused the subscription.
    func subscribe(topicFilter: String, qos: UpstreamQoS) -> EventLoopFuture<UpstreamQoS>
    /// Unsubscribes from one filter.
    func unsubscribe(topicFilter: String) -> EventLoopFuture<Void>
    /// Closes the session gracefully with DISCONNECT: the broker discards the will.
    func disconnect() -> EventLoopFuture<Void>
    /// Drops the connection without DISCONNECT, so that the broker publishes the will.
    func closeAbruptly() -> EventLoopFuture<Void>
}

/// Makes the upstream sessions of clients and the gateway's own shared session.
public protocol UpstreamSessionFactory: Sendable {
    /// A session that is not connected yet. `events` receives messages the broker sends and the loss of the
    /// connection; it may be called on any event loop.
    func makeSession(parameters: UpstreamSessionParameters, events: UpstreamSessionEvents) -> any UpstreamSession
}

/// What the broker tells an upstream session's owner.
public struct UpstreamSessionEvents: Sendable {
    /// A message matching one of the session's subscriptions.
    public var message: @Sendable (UpstreamMessage) -> Void
    /// The connection was lost without this side closing it.
    public var connectionLost: @Sendable () -> Void

    public init(message: @escaping @Sendable (UpstreamMessage) -> Void, connectionLost: @escaping @Sendable () -> Void)
    {
        self.message = message
        self.connectionLost = connectionLost
    }
}

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

/// MQTT QoS upstream (MQTT has no QoS -1).
public enum UpstreamQoS: UInt8, Sendable, Hashable, Comparable {
    case atMostOnce = 0
    case atLeastOnce = 1
    case exactlyOnce = 2

    public static func < (lhs: UpstreamQoS, rhs: UpstreamQoS) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

/// An MQTT message going to or coming from the broker.
public struct UpstreamMessage: Sendable, Hashable {
    public var topic: String
    public var payload: ByteBuffer
    public var qos: UpstreamQoS
    public var retain: Bool

    public init(topic: String, payload: ByteBuffer, qos: UpstreamQoS, retain: Bool) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }
}
