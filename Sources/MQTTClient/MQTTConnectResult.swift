/// What an accepted CONNECT produced.
public struct MQTTConnectResult: Sendable, Hashable {
    /// Whether the broker resumed a stored session.
    public var sessionPresent: Bool
    /// MQTT 5.0 CONNACK properties (assigned client id, receive maximum, maximum packet size, server keep
    /// alive...); empty for MQTT 3.1.1.
    public var properties: MQTTProperties

    public init(sessionPresent: Bool, properties: MQTTProperties = MQTTProperties()) {
        self.sessionPresent = sessionPresent
        self.properties = properties
    }
}
