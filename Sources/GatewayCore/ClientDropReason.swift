/// Why a message was dropped; the raw value is the `reason` dimension of `snbridge_messages_dropped_total`.
enum ClientDropReason: String, Hashable, Sendable {
    /// A PUBLISH beyond the client's rate limit (QoS 0; QoS 1/2 get PUBACK congestion).
    case rateLimited = "rate_limited"
    /// A repeated PUBLISH whose first copy is still on its way to the broker.
    case duplicate = "duplicate"
    /// A broker message whose topic could not get an id: the client holds its maximum.
    case topicLimit = "topic_limit"
    /// The client refused the gateway's REGISTER.
    case registrationRefused = "registration_refused"
    /// The client refused a PUBLISH with a PUBACK return code.
    case refusedByClient = "refused_by_client"
    /// The sleep buffer or the downlink queue was full; its oldest QoS 0 message went.
    case queueFull = "queue_full"
    /// The downlink queue was full of QoS 1/2 messages (a broker ignoring the receive window): the new one went.
    case downlinkQueueFull = "downlink_queue_full"
    /// A PUBLISH while the client's upstream session is down (QoS 0; QoS 1/2 get PUBACK congestion).
    case upstreamDown = "upstream_down"
    /// A CONNECT repeated while the first one's exchange was still going on; its outcome answers both.
    case repeatedConnect = "repeated_connect"
    /// A QoS 0 PUBLISH whose upstream connection was congested (the broker reading slower than the clients send):
    /// at most once is dropped rather than buffered without bound. QoS 1/2 wait behind the in-flight limit instead.
    case upstreamCongested = "upstream_congested"
    /// A PUBLISH (or broker message) on a topic the client's ACL does not allow it to write (or read).
    case accessDenied = "access_denied"
    /// A message toward a client that has not confirmed its address, beyond `gateway.unconfirmed_send_budget`.
    case unconfirmedBudget = "unconfirmed_budget"
    /// A SEARCHGW beyond what the gateway answers per second (``GatewayEngine/searchGatewayBudgetPerSecond``).
    case searchGatewayRateLimited = "searchgw_rate_limited"
    /// A message that makes no sense in the session's state (e.g. SUBACK from a client, PUBLISH before CONNACK).
    case unexpected = "unexpected"
}
