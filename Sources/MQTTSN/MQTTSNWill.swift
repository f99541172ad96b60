/// The will a client sets with WILLTOPIC or WILLTOPICUPD: its topic, QoS and retain flag.
public struct MQTTSNWill: Sendable, Hashable {
    /// The will QoS: 0, 1 or 2 (QoS -1 has no meaning for a will and is rejected).
    public var qos: MQTTSNQoS
    /// Whether the broker retains the will message.
    public var retain: Bool
    /// The will topic name, UTF-8, never empty.
    public var topicName: String

    public init(qos: MQTTSNQoS = .atMostOnce, retain: Bool = false, topicName: String) {
        self.qos = qos
        self.retain = retain
        self.topicName = topicName
    }
}
