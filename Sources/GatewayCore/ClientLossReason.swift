/// Why a client is considered lost.
enum ClientLossReason: String, Hashable, Sendable {
    case keepAliveExpired = "keepalive expired"
    case sleepExpired = "sleep duration expired"
    case connectTimeout = "connect exchange timed out"
    case upstreamLost = "upstream connection lost"
    case linkLost = "transport link lost"
    case idle = "connected but sent nothing else (gateway.idle_session_timeout)"
}
