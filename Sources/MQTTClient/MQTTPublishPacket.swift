/// PUBLISH: an application message in either direction.
///
///     ┌──────────────────────────────┬────────┐
///     │ 0011 │ DUP │ QoS (2) │RETAIN │ length │
///     └──────────────────────────────┴────────┘
///     ┌─────────────┬──────────────────────┬─────────────────┬─────────┐
///     │ topic name  │ packet id (QoS 1, 2) │ properties (v5) │ payload │
///     └─────────────┴──────────────────────┴─────────────────┴─────────┘
public struct MQTTPublishPacket: Sendable, Hashable {
    public var message: MQTTMessage
    /// Present exactly when the QoS is 1 or 2.
    public var packetID: UInt16?
    /// Set on a retransmission of a QoS 1/2 PUBLISH.
    public var duplicate: Bool

    public init(message: MQTTMessage, packetID: UInt16?, duplicate: Bool = false) {
        self.message = message
        self.packetID = packetID
        self.duplicate = duplicate
    }
}
