import MQTTSN

extension UpstreamQoS {
    /// MQTT-SN QoS -1 exists only between client and gateway; upstream it is QoS 0.
    init(_ qos: MQTTSNQoS) {
        switch qos {
        case .atMostOnce, .fireAndForget: self = .atMostOnce
        case .atLeastOnce: self = .atLeastOnce
        case .exactlyOnce: self = .exactlyOnce
        }
    }

    var mqttsnQoS: MQTTSNQoS {
        switch self {
        case .atMostOnce: .atMostOnce
        case .atLeastOnce: .atLeastOnce
        case .exactlyOnce: .exactlyOnce
        }
    }
}
