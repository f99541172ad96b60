import NIOCore

/// Connection life-cycle notifications, delivered on the client's event loop.
public enum MQTTConnectionEvent: Sendable {
    /// A CONNACK accepted the connection (first connect or reconnect).
    case connected(sessionPresent: Bool)
    /// The connection ended; nil after ``MQTTClient/disconnect()``, otherwise why it was lost.
    case disconnected((any Error)?)
    /// A reconnect attempt is scheduled after `delay`.
    case reconnecting(attempt: Int, delay: TimeAmount)
}
