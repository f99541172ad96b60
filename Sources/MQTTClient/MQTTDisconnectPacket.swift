/// DISCONNECT. MQTT 3.1.1 has no body; MQTT 5.0 may carry a reason code and properties, and a length of 0
/// means "normal disconnection".
///
///     ┌──────┬────────┬──────────────────┬─────────────────┐
///     │ 0xE0 │ length │ reason code (v5) │ properties (v5) │
///     └──────┴────────┴──────────────────┴─────────────────┘
public struct MQTTDisconnectPacket: Sendable, Hashable {
    public var reasonCode: MQTTReasonCode
    public var properties: MQTTProperties

    public init(reasonCode: MQTTReasonCode = .success, properties: MQTTProperties = MQTTProperties()) {
        self.reasonCode = reasonCode
        self.properties = properties
    }
}
