import NIOCore

/// What the gateway decided about a session when it admitted it, and what it tracks to bound the session's cost.
struct SessionAdmission: Sendable {
    /// The source prefix the session was counted under (UDP only).
    var sourcePrefix: SourcePrefixKey?
    /// When the session was admitted.
    var admittedAt: NIODeadline
    /// Whether the client sent anything after its CONNECT exchange (else `idle_session_timeout` drops it).
    var heardSinceConnect = false
    /// Whether the client showed it receives what the gateway sends (an acknowledgement of a gateway message id).
    var isConfirmed: Bool
    /// Octets the gateway may still send before the address is confirmed.
    var sendBudget: Int
    /// What the client may publish and subscribe to.
    var topics: ClientTopicAccess
    /// Prefix of the client's topics upstream (`mountpoint` with `%c` substituted); empty for none.
    var mountpoint: String

    init(
        sourcePrefix: SourcePrefixKey?,
        admittedAt: NIODeadline,
        isConfirmed: Bool,
        sendBudget: Int,
        topics: ClientTopicAccess,
        mountpoint: String
    ) {
        self.sourcePrefix = sourcePrefix
        self.admittedAt = admittedAt
        self.isConfirmed = isConfirmed
        self.sendBudget = sendBudget
        self.topics = topics
        self.mountpoint = mountpoint
    }
}
