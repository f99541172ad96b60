import MQTTClient

/// What acknowledges one broker QoS 1/2 message upstream (PUBACK or PUBREC), handed over with the message and
/// given back to ``UpstreamSession/acknowledge(_:)`` once the device acknowledged it. Until then the broker counts
/// the message against its in-flight window and holds further ones back.
public struct UpstreamAcknowledgement: Sendable, Hashable {
    let mqtt: MQTTInboundAcknowledgement?
    /// In aggregating mode: which delivery of a shared broker message this is (``AggregatedUpstreamPool``), whose
    /// acknowledgement upstream waits for every client that got it.
    let fanout: UInt64?
    /// The broker's packet identifier (for logs and tests).
    public let packetID: UInt16

    init(_ mqtt: MQTTInboundAcknowledgement) {
        self.mqtt = mqtt
        self.fanout = nil
        self.packetID = mqtt.packetID
    }

    init(fanout: UInt64, packetID: UInt16) {
        self.mqtt = nil
        self.fanout = fanout
        self.packetID = packetID
    }

    /// For ``UpstreamSession`` implementations other than the MQTT client's.
    public init(packetID: UInt16) {
        self.mqtt = nil
        self.fanout = nil
        self.packetID = packetID
    }
}
