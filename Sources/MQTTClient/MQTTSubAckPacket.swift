/// SUBACK: one return code (3.1.1: 0, 1, 2 or 0x80) or reason code (5.0) per requested topic filter.
///
///     ┌──────┬────────┬───────────┬─────────────────┬──────┬──────┬───
///     │ 0x90 │ length │ packet id │ properties (v5) │ code │ code │ ...
///     └──────┴────────┴───────────┴─────────────────┴──────┴──────┴───
public struct MQTTSubAckPacket: Sendable, Hashable {
    public var packetID: UInt16
    public var reasonCodes: [MQTTReasonCode]
    public var properties: MQTTProperties

    public init(packetID: UInt16, reasonCodes: [MQTTReasonCode], properties: MQTTProperties = MQTTProperties()) {
        self.packetID = packetID
        self.reasonCodes = reasonCodes
        self.properties = properties
    }
}
