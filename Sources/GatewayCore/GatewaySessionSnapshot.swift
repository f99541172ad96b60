import MQTTSNTransport
import NIOCore

/// One client session as seen at a moment, for `snbridge` status output.
public struct GatewaySessionSnapshot: Sendable, Hashable {
    /// The session's state in the words of the specification (section 6.14).
    public enum State: String, Sendable, Hashable {
        /// CONNECT received; will exchange or upstream CONNECT still going on.
        case connecting
        /// Active.
        case connected
        /// Sleeping: messages are buffered.
        case asleep
        /// Awake: buffered messages are being delivered.
        case awake
        /// Lost recently (keepalive, sleep or retransmissions expired); kept in the snapshot for a while.
        case lost
    }

    public var clientID: String
    public var address: MQTTSNClientAddress
    public var state: State
    /// Topic ids assigned to the client (predefined ones not counted).
    public var topicCount: Int
    /// Broker messages waiting for delivery.
    public var pendingMessages: Int
    /// QoS 1/2 messages from the client published upstream and not yet acknowledged by the broker.
    public var upstreamInFlight: Int
    /// MQTT-SN messages the session received from its client and sent to it.
    public var messagesIn: Int
    public var messagesOut: Int
    /// When the client was last heard from, on the gateway's clock (`NIODeadline.now()`).
    public var lastHeard: NIODeadline?

    public init(
        clientID: String,
        address: MQTTSNClientAddress,
        state: State,
        topicCount: Int,
        pendingMessages: Int,
        upstreamInFlight: Int = 0,
        messagesIn: Int = 0,
        messagesOut: Int = 0,
        lastHeard: NIODeadline? = nil
    ) {
        self.clientID = clientID
        self.address = address
        self.state = state
        self.topicCount = topicCount
        self.pendingMessages = pendingMessages
        self.upstreamInFlight = upstreamInFlight
        self.messagesIn = messagesIn
        self.messagesOut = messagesOut
        self.lastHeard = lastHeard
    }
}
