import NIOCore

/// An application message: what is published and what a subscription delivers.
public struct MQTTMessage: Sendable, Hashable {
    /// The topic name (no wildcards).
    public var topic: String
    /// The application payload.
    public var payload: ByteBuffer
    /// The QoS it is published with, or (inbound) the QoS it was delivered with.
    public var qos: MQTTQoS
    /// Whether the broker retains it (outbound) or delivered it from its retained store (inbound).
    public var retain: Bool
    /// MQTT 5.0 publish properties (payload format, message expiry, content type, response topic, correlation
    /// data, user properties, subscription identifiers). Ignored by MQTT 3.1.1.
    public var properties: MQTTProperties

    public init(
        topic: String,
        payload: ByteBuffer,
        qos: MQTTQoS = .atMostOnce,
        retain: Bool = false,
        properties: MQTTProperties = MQTTProperties()
    ) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.properties = properties
    }

    /// A message whose payload is the UTF-8 bytes of `string`.
    public init(
        topic: String,
        payload string: String,
        qos: MQTTQoS = .atMostOnce,
        retain: Bool = false,
        properties: MQTTProperties = MQTTProperties()
    ) {
        self.init(topic: topic, payload: ByteBuffer(string: string), qos: qos, retain: retain, properties: properties)
    }
}
