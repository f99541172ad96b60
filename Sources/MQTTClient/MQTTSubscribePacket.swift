/// SUBSCRIBE.
///
///     ┌──────┬────────┬───────────┬─────────────────┬──────────────┬─────────┬───
///     │ 0x82 │ length │ packet id │ properties (v5) │ topic filter │ options │ ...
///     └──────┴────────┴───────────┴─────────────────┴──────────────┴─────────┴───
public struct MQTTSubscribePacket: Sendable, Hashable {
    public var packetID: UInt16
    public var subscriptions: [MQTTSubscription]
    public var properties: MQTTProperties

    public init(packetID: UInt16, subscriptions: [MQTTSubscription], properties: MQTTProperties = MQTTProperties()) {
        self.packetID = packetID
        self.subscriptions = subscriptions
        self.properties = properties
    }
}
