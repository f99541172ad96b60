/// The delivery guarantee of a PUBLISH or a subscription.
public enum MQTTQoS: UInt8, Sendable, Hashable, Comparable, CaseIterable {
    /// Fire and forget.
    case atMostOnce = 0
    /// Acknowledged with PUBACK; may be delivered more than once.
    case atLeastOnce = 1
    /// Four-way PUBLISH / PUBREC / PUBREL / PUBCOMP handshake; delivered exactly once.
    case exactlyOnce = 2

    public static func < (lhs: MQTTQoS, rhs: MQTTQoS) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
