/// UNSUBSCRIBE.
///
///     ┌──────┬────────┬───────────┬─────────────────┬──────────────┬──────────────┬───
///     │ 0xA2 │ length │ packet id │ properties (v5) │ topic filter │ topic filter │ ...
///     └──────┴────────┴───────────┴─────────────────┴──────────────┴──────────────┴───
public struct MQTTUnsubscribePacket: Sendable, Hashable {
    public var packetID: UInt16
    public var topicFilters: [String]
    public var properties: MQTTProperties

    public init(packetID: UInt16, topicFilters: [String], properties: MQTTProperties = MQTTProperties()) {
        self.packetID = packetID
        self.topicFilters = topicFilters
        self.properties = properties
    }
}
