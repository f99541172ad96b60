import MQTTSNTransport

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

    public init(clientID: String, address: MQTTSNClientAddress, state: State, topicCount: Int, pendingMessages: Int) {
        self.clientID = clientID
        self.address = address
        self.state = state
        self.topicCount = topicCount
        self.pendingMessages = pendingMessages
    }
}
