import MQTTSN
import NIOCore

extension ClientSessionStateMachine {
    /// Whether the session is in the will exchange (CONNECT with the will flag, WILLTOPIC and WILLMSG still due).
    var isInWillExchange: Bool {
        switch self.state {
        case .awaitingWillTopic, .awaitingWillMessage: true
        default: false
        }
    }

    /// Refuses a message of `type` that has no place in the will exchange, or returns `nil` when it has one.
    ///
    /// While the gateway waits for WILLTOPIC or WILLMSG, a client may only send those (a repeated WILLTOPIC
    /// while WILLMSG is due answers a lost WILLMSGREQ), DISCONNECT, or a new CONNECT. REGISTER, PUBLISH, an early
    /// WILLMSG, SUBSCRIBE, PINGREQ and the rest get DISCONNECT and the session ends, so the client starts over at
    /// once rather than waiting for the connect timeout (EMQX does the same). Messages only a gateway sends are
    /// left to the ordinary handling (dropped and counted).
    mutating func refuseOutOfOrder(_ type: MQTTSNMessageType, now: NIODeadline) -> ClientSessionAction? {
        guard self.isInWillExchange else {
            return nil
        }
        var awaitsWillMessage = false
        if case .awaitingWillMessage = self.state { awaitsWillMessage = true }
        switch type {
        case .willTopic, .disconnect, .connect:
            return nil
        case .willMessage where awaitsWillMessage:
            return nil
        case .register, .publish, .willMessage, .subscribe, .unsubscribe, .pingRequest, .willTopicUpdate,
            .willMessageUpdate, .registerAck, .publishAck, .publishReceived, .publishRelease, .publishComplete:
            self.lastHeard = now
            self.state = .closed
            return .refuse(
                ClientRefusal(.willHandshakeOutOfOrder, answer: .disconnect(MQTTSNDisconnect())),
                endsSession: true
            )
        default:
            return nil
        }
    }

    /// A WILLTOPIC that could not be used (too long for `gateway.max_topic_name_length`, wildcards, QoS -1):
    /// CONNACK 0x03 ends the exchange, as for a CONNECT the gateway cannot accept.
    mutating func willTopicRefused(_ reason: ClientRefusalReason, now: NIODeadline) -> ClientSessionAction {
        guard self.isInWillExchange else {
            return .dropped(.unexpected)
        }
        self.lastHeard = now
        self.state = .closed
        return .refuse(ClientRefusal(reason, answer: ClientRefusal.connectNotSupported), endsSession: true)
    }
}
