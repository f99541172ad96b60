/// The MQTT protocol version a client speaks; chosen per connection in ``MQTTClientConfiguration``.
public enum MQTTProtocolVersion: Sendable, Hashable, CustomStringConvertible {
    /// MQTT 3.1.1 (protocol level 4).
    case v3_1_1
    /// MQTT 5.0 (protocol level 5).
    case v5

    /// The protocol level byte in CONNECT.
    public var protocolLevel: UInt8 {
        switch self {
        case .v3_1_1: 4
        case .v5: 5
        }
    }

    public var description: String {
        switch self {
        case .v3_1_1: "3.1.1"
        case .v5: "5.0"
        }
    }
}
