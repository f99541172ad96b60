/// Why a message was dropped.
enum ClientDropReason: String, Hashable, Sendable {
    case rateLimited = "rate_limited"
    case duplicate = "duplicate"
    case topicLimit = "topic_limit"
    case registrationRefused = "registration_refused"
    case queueFull = "queue_full"
    case unexpected = "unexpected"
}
