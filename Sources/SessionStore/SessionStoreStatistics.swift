/// What the store has done since it opened; counters only grow.
public struct SessionStoreStatistics: Sendable, Hashable {
    /// Transactions committed.
    public var commits = 0
    /// Commits that failed (each logged); their writes were reported failed to whoever waited.
    public var failedCommits = 0
    /// Session rows written or deleted.
    public var sessionRowsWritten = 0
    /// Session writes that replaced a not-yet-written one for the same client (saved a row write).
    public var coalescedSessionWrites = 0
    /// Outage messages written.
    public var outageMessagesWritten = 0
    /// Outage messages refused because a cap was reached.
    public var outageMessagesRefused = 0
    /// Outage appends lost with a failed commit (their waiters were told).
    public var outageMessagesFailed = 0

    public init() {}
}
