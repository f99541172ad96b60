/// One topic filter of a SUBSCRIBE, with its MQTT 5.0 subscription options.
///
///     subscription options byte (MQTT 5.0; MQTT 3.1.1 uses only the QoS bits)
///     ┌───┬───┬───────┬───┬───┬───────┐
///     │ 0 │ 0 │retain │RAP│NL │  QoS  │
///     │   │   │handlng│   │   │       │
///     └───┴───┴───────┴───┴───┴───────┘
///      7   6   5   4   3   2   1   0
public struct MQTTSubscription: Sendable, Hashable {
    /// When the broker sends retained messages for this subscription (MQTT 5.0).
    public enum RetainHandling: UInt8, Sendable, Hashable {
        /// Send retained messages at the time of the subscribe.
        case sendOnSubscribe = 0
        /// Send them only if the subscription did not exist yet.
        case sendOnSubscribeIfNew = 1
        /// Never send retained messages.
        case doNotSend = 2
    }

    public var topicFilter: String
    /// The maximum QoS the broker may deliver with.
    public var qos: MQTTQoS
    /// MQTT 5.0: do not receive our own publishes.
    public var noLocal: Bool
    /// MQTT 5.0: keep the retain flag as published instead of clearing it on live delivery.
    public var retainAsPublished: Bool
    /// MQTT 5.0.
    public var retainHandling: RetainHandling

    public init(
        topicFilter: String,
        qos: MQTTQoS = .atMostOnce,
        noLocal: Bool = false,
        retainAsPublished: Bool = false,
        retainHandling: RetainHandling = .sendOnSubscribe
    ) {
        self.topicFilter = topicFilter
        self.qos = qos
        self.noLocal = noLocal
        self.retainAsPublished = retainAsPublished
        self.retainHandling = retainHandling
    }

    var optionsByte: UInt8 {
        qos.rawValue | (noLocal ? 0x04 : 0) | (retainAsPublished ? 0x08 : 0) | (retainHandling.rawValue << 4)
    }
}
