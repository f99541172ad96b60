/// MQTT QoS upstream (MQTT has no QoS -1).
public enum UpstreamQoS: UInt8, Sendable, Hashable, Comparable, Codable {
    case atMostOnce = 0
    case atLeastOnce = 1
    case exactlyOnce = 2

    public static func < (lhs: UpstreamQoS, rhs: UpstreamQoS) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
