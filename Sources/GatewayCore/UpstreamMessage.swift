import NIOCore

/// An MQTT message going to or coming from the broker.
public struct UpstreamMessage: Sendable, Hashable, Codable {
    public var topic: String
    public var payload: ByteBuffer
    public var qos: UpstreamQoS
    public var retain: Bool

    public init(topic: String, payload: ByteBuffer, qos: UpstreamQoS, retain: Bool) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }
}
