/// PUBACK, PUBREC, PUBREL and PUBCOMP share this layout; the packet type tells them apart.
///
///     ┌──────────────┬────────┬───────────┬──────────────────┬─────────────────┐
///     │ type │ flags │ length │ packet id │ reason code (v5) │ properties (v5) │
///     └──────────────┴────────┴───────────┴──────────────────┴─────────────────┘
///     flags are 0010 for PUBREL and 0000 otherwise; in MQTT 5.0 a length of 2 means
///     "success, no properties", and a length of 3 means "reason code, no properties".
public struct MQTTPublishResponsePacket: Sendable, Hashable {
    public var packetID: UInt16
    /// Always ``MQTTReasonCode/success`` in MQTT 3.1.1.
    public var reasonCode: MQTTReasonCode
    public var properties: MQTTProperties

    public init(packetID: UInt16, reasonCode: MQTTReasonCode = .success, properties: MQTTProperties = MQTTProperties())
    {
        self.packetID = packetID
        self.reasonCode = reasonCode
        self.properties = properties
    }
}
