import MQTTClient

/// What acknowledges one broker QoS 1/2 message upstream (PUBACK or PUBREC), handed over with the message and
/// given back to ``UpstreamSession/acknowledge(_:)`` once the device acknowledged it. Until then the broker counts
/// the message against its in-flight window and holds further ones back.
public struct UpstreamAcknowledgement: Sendable, Hashable {
    let mqtt: MQTTInboundAcknowledgement?
    /// The broker's packet identifier (for logs and tests).
    public let packetID: UInt16

    init(_ mqtt: MQTTInboundAcknowledgement) {
        self.mqtt = mqtt
        self.packetID = mqtt.packetID
    }

    /// For ``UpstreamSession`` implementations other than the MQTT client's.
    public init(packetID: UInt16) {
        self.mqtt = nil
        self.packetID = packetID
    }
}
