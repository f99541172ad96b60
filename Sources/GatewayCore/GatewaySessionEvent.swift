/// A change in one client session, as ``Gateway/sessionEvents()`` delivers it: the session's new snapshot and,
/// when it ended, why (`disconnected`, `replaced`, `refused`, or a ``ClientLossReason`` such as `keepalive`).
public struct GatewaySessionEvent: Sendable, Hashable {
    /// The session after the change; state `lost` when it ended.
    public var session: GatewaySessionSnapshot
    /// Why the session ended; `nil` while it lives.
    public var endReason: String?

    public init(session: GatewaySessionSnapshot, endReason: String? = nil) {
        self.session = session
        self.endReason = endReason
    }

    /// Whether the session is gone.
    public var ended: Bool { endReason != nil }
}
