import MQTTSN

/// Why the gateway refused a CONNECT (or a PINGREQ moving a session) before opening anything upstream; the raw
/// value is the `reason` dimension of `snbridge_connections_rejected_total` and the `refusal.reason` log key.
enum ConnectRefusal: String, Hashable, Sendable, CaseIterable {
    /// `gateway.authentication: allowlist` and the client id is not under `gateway.clients`.
    case notAllowlisted = "not_allowlisted"
    /// The client id is configured with `allowed_sources` and the datagram came from elsewhere.
    case sourceNotAllowed = "source_not_allowed"
    /// `gateway.authentication: dtls` and the peer was not authenticated by a DTLS transport.
    case notAuthenticated = "not_authenticated"
    /// The peer was authenticated as someone else than the client id it claims.
    case identityMismatch = "identity_mismatch"
    /// The client id has a live session at another address, and `gateway.session_takeover` does not allow moving it.
    case sessionInUse = "session_in_use"
    /// The client id cannot stand in its mountpoint (it contains `/`, `+` or `#`).
    case invalidClientID = "invalid_client_id"
    /// The will topic is not one the client may publish to.
    case willNotAllowed = "will_not_allowed"
    /// The source prefix opened more new sessions per second than `gateway.source_limits` allows.
    case sourceRateLimited = "source_rate_limited"
    /// The source prefix holds `gateway.source_limits.max_sessions` sessions.
    case sourceSessionLimit = "source_session_limit"

    /// The CONNACK return code: policy refusals are permanent (0x03), limits transient (0x01, retry later).
    var returnCode: MQTTSNReturnCode {
        switch self {
        case .sourceRateLimited, .sourceSessionLimit: .rejectedCongestion
        default: .rejectedNotSupported
        }
    }

    /// What the log line says.
    var explanation: String {
        switch self {
        case .notAllowlisted: "client id not listed under gateway.clients (gateway.authentication: allowlist)"
        case .sourceNotAllowed: "source address not in the client's allowed_sources"
        case .notAuthenticated: "peer not authenticated by DTLS (gateway.authentication: dtls)"
        case .identityMismatch: "peer authenticated as another identity than the client id"
        case .sessionInUse: "client id connected from another address (gateway.session_takeover)"
        case .invalidClientID: "client id contains '/', '+' or '#' and cannot stand in its mountpoint"
        case .willNotAllowed: "will topic not allowed by the ACL"
        case .sourceRateLimited: "source prefix over gateway.source_limits.new_sessions_per_second"
        case .sourceSessionLimit: "source prefix holds gateway.source_limits.max_sessions sessions"
        }
    }
}
