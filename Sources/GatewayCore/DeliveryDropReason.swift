/// Why a broker message was not delivered to its client; the raw value is the `reason` dimension of
/// `snbridge_messages_dropped_total`.
///
/// Only that one message goes: the session and the messages queued behind it stay.
enum DeliveryDropReason: String, Hashable, Sendable {
    /// Its PUBLISH (or the REGISTER its topic needs) is larger than the client's maximum packet size: the smallest
    /// of `gateway.max_message_size`, `gateway.clients.<id>.max_packet_size` and what the transport can carry to
    /// the client (a serial link's negotiated frame size). It is not sent at all.
    case tooLarge = "too_large"
    /// The client did not acknowledge it after `gateway.retry_count` retransmissions (a client that cannot read
    /// it, e.g. one without the three-octet length form). Liveness is the keepalive's business, not this.
    case retriesExhausted = "retries_exhausted"
}
