/// What the broker tells an upstream session's owner.
public struct UpstreamSessionEvents: Sendable {
    /// A message matching one of the session's subscriptions; a QoS 1/2 message comes with the acknowledgement
    /// to give back once it is safe (``UpstreamSession/acknowledge(_:)``).
    public var message: @Sendable (UpstreamMessage, UpstreamAcknowledgement?) -> Void
    /// The connection was lost without this side closing it. A session that reconnects on its own
    /// (``UpstreamSessionParameters/reconnects``) keeps trying and reports ``connectionRestored``.
    public var connectionLost: @Sendable () -> Void
    /// A reconnecting session is connected again; `sessionPresent` says whether the broker kept its session
    /// (subscriptions included).
    public var connectionRestored: @Sendable (_ sessionPresent: Bool) -> Void

    public init(
        message: @escaping @Sendable (UpstreamMessage, UpstreamAcknowledgement?) -> Void,
        connectionLost: @escaping @Sendable () -> Void,
        connectionRestored: @escaping @Sendable (_ sessionPresent: Bool) -> Void = { _ in }
    ) {
        self.message = message
        self.connectionLost = connectionLost
        self.connectionRestored = connectionRestored
    }
}
