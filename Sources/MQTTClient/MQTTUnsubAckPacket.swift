/// UNSUBACK. MQTT 3.1.1 carries only the packet id; MQTT 5.0 adds properties and one reason code per filter.
///
///     ┌──────┬────────┬───────────┬─────────────────┬──────┬──────┬───
///     │ 0xB0 │ length │ packet id │ properties (v5) │ code │ code │ ...  (v5)
///     └──────┴────────┴───────────┴─────────────────┴──────┴──────┴───
public struct MQTTUnsubAckPacket: Sendable, Hashable {
    public var packetID: UInt16
    /// Empty in MQTT 3.1.1.
    public var reasonCodes: [MQTTReasonCode]
    public var properties: MQTTProperties

    public init(packetID: UInt16, reasonCodes: [MQTTReasonCode] = [], properties: MQTTProperties = MQTTProperties()) {
        self.packetID = packetID
        self.reasonCodes = reasonCodes
        self.properties = properties
    }
}
