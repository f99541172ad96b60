/// CONNACK: the broker's answer to CONNECT.
///
///     ┌──────┬────────┬─────────────────┬─────────────┬─────────────────┐
///     │ 0x20 │ length │ ack flags (bit0 │ return code │ properties (v5) │
///     │      │        │ session present)│ reason code │                 │
///     └──────┴────────┴─────────────────┴─────────────┴─────────────────┘
public struct MQTTConnAckPacket: Sendable, Hashable {
    public var sessionPresent: Bool
    /// The MQTT 3.1.1 return code (0...5) or the MQTT 5.0 reason code.
    public var returnCode: UInt8
    public var properties: MQTTProperties

    public init(sessionPresent: Bool, returnCode: UInt8, properties: MQTTProperties = MQTTProperties()) {
        self.sessionPresent = sessionPresent
        self.returnCode = returnCode
        self.properties = properties
    }
}
