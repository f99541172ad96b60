/// One page of the gateway's sessions (``Gateway/sessions(offset:limit:)``): the snapshots on it and how many
/// sessions there are in all (live ones sorted by client id, then the recently lost).
public struct GatewaySessionPage: Sendable, Hashable {
    /// Sessions in all, recently lost ones included.
    public var total: Int
    public var sessions: [GatewaySessionSnapshot]

    public init(total: Int, sessions: [GatewaySessionSnapshot]) {
        self.total = total
        self.sessions = sessions
    }
}
