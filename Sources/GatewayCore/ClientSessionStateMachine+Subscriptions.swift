import MQTTSN
import NIOCore

extension ClientSessionStateMachine {
    /// SUBSCRIBE by topic name (wildcards allowed), predefined id or short name.
    ///
    /// A plain name gets its topic id at once (returned in SUBACK); a wildcard filter gets 0 and each matching
    /// topic is registered by the gateway before its first delivery.
    mutating func subscribeReceived(_ subscribe: MQTTSNSubscribe, now: NIODeadline) -> ClientSessionAction {
        guard self.isEstablished else {
            return .dropped(.unexpected)
        }
        self.lastHeard = now
        let qos = UpstreamQoS(subscribe.qos)
        func refuse(_ returnCode: MQTTSNReturnCode) -> ClientSessionAction {
            .send(
                .subscribeAck(
                    MQTTSNSubscribeAck(
                        qos: .atMostOnce,
                        topicID: 0,
                        messageID: subscribe.messageID,
                        returnCode: returnCode
                    )
                )
            )
        }
        guard self.isUpstreamUp else {
            return refuse(.rejectedCongestion)
        }
        switch subscribe.topic {
        case .name(let filter):
            guard Self.isValidTopicFilter(filter) else {
                return refuse(.rejectedInvalidTopicID)
            }
            if filter.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "#") }) {
                return .subscribeUpstream(topicFilter: filter, qos: qos, messageID: subscribe.messageID, topicID: 0)
            }
            switch self.registry.register(filter) {
            case .assigned(let id), .existing(let id):
                return .subscribeUpstream(topicFilter: filter, qos: qos, messageID: subscribe.messageID, topicID: id)
            case .full:
                return refuse(.rejectedCongestion)
            }
        case .predefined(let id):
            guard let name = self.registry.topicName(for: id, type: .predefined) else {
                return refuse(.rejectedInvalidTopicID)
            }
            return .subscribeUpstream(topicFilter: name, qos: qos, messageID: subscribe.messageID, topicID: id)
        case .shortName(let shortName):
            guard let name = shortName.name, Self.isValidTopicFilter(name) else {
                return refuse(.rejectedInvalidTopicID)
            }
            return .subscribeUpstream(topicFilter: name, qos: qos, messageID: subscribe.messageID, topicID: 0)
        }
    }

    /// The broker answered the SUBSCRIBE; `grantedQoS` is `nil` when it refused. A granted filter is remembered,
    /// so that a re-established upstream session gets it back.
    mutating func subscribeCompleted(
        topicFilter: String,
        messageID: UInt16,
        topicID: UInt16,
        grantedQoS: UpstreamQoS?
    ) -> ClientSessionAction {
        guard let grantedQoS else {
            return .send(
                .subscribeAck(
                    MQTTSNSubscribeAck(
                        qos: .atMostOnce,
                        topicID: 0,
                        messageID: messageID,
                        returnCode: .rejectedNotSupported
                    )
                )
            )
        }
        self.subscriptions[topicFilter] = grantedQoS
        return .send(
            .subscribeAck(
                MQTTSNSubscribeAck(
                    qos: grantedQoS.mqttsnQoS,
                    topicID: topicID,
                    messageID: messageID,
                    returnCode: .accepted
                )
            )
        )
    }

    /// UNSUBSCRIBE by topic name, predefined id or short name. Unknown predefined ids are acknowledged at once:
    /// there is nothing to unsubscribe from.
    mutating func unsubscribeReceived(_ unsubscribe: MQTTSNUnsubscribe, now: NIODeadline) -> ClientSessionAction {
        guard self.isEstablished else {
            return .dropped(.unexpected)
        }
        self.lastHeard = now
        let filter: String?
        switch unsubscribe.topic {
        case .name(let name): filter = name
        case .predefined(let id): filter = self.registry.topicName(for: id, type: .predefined)
        case .shortName(let shortName): filter = shortName.name
        }
        guard let filter, Self.isValidTopicFilter(filter) else {
            return .send(.unsubscribeAck(MQTTSNUnsubscribeAck(messageID: unsubscribe.messageID)))
        }
        self.subscriptions.removeValue(forKey: filter)
        guard self.isUpstreamUp else {
            // A clean upstream session loses its subscriptions with the connection and is not given this one back.
            // A persistent one may still hold it at the broker; messages for it are then delivered until the
            // client unsubscribes again.
            return .send(.unsubscribeAck(MQTTSNUnsubscribeAck(messageID: unsubscribe.messageID)))
        }
        return .unsubscribeUpstream(topicFilter: filter, messageID: unsubscribe.messageID)
    }

    /// Whether an MQTT topic filter is well formed: `#` only last and alone in its level, `+` alone in its level.
    static func isValidTopicFilter(_ filter: String) -> Bool {
        guard !filter.isEmpty, !filter.utf8.contains(0) else {
            return false
        }
        let levels = filter.split(separator: "/", omittingEmptySubsequences: false)
        for (index, level) in levels.enumerated() {
            if level.contains("#"), level != "#" || index != levels.count - 1 {
                return false
            }
            if level.contains("+"), level != "+" {
                return false
            }
        }
        return true
    }
}
