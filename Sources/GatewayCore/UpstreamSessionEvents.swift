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
