/// The broker's answer for one topic filter of a SUBSCRIBE.
public enum MQTTSubscribeResult: Sendable, Hashable {
    /// Subscribed; messages arrive with at most this QoS.
    case granted(MQTTQoS)
    /// Refused, with the reason (MQTT 3.1.1 only ever says ``MQTTSubscriptionError/failure``).
    case rejected(MQTTSubscriptionError)

    /// The granted QoS, or the rejection as a thrown error.
    public func get() throws(MQTTSubscriptionError) -> MQTTQoS {
        switch self {
        case .granted(let qos): return qos
        case .rejected(let error): throw error
        }
    }

    init(reasonCode: MQTTReasonCode) {
        if !reasonCode.isFailure, let qos = MQTTQoS(rawValue: reasonCode.rawValue) {
            self = .granted(qos)
        } else {
            self = .rejected(MQTTSubscriptionError(reasonCode: reasonCode))
        }
    }
}
