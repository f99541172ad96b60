import MQTTSN
import NIOCore

extension ClientSessionStateMachine {
    /// WILLTOPIC during the connect exchange. An empty WILLTOPIC means "no will after all"; one with wildcards is
    /// refused (CONNACK 0x03). A repeated WILLTOPIC while WILLMSG is due replaces the first (its WILLMSGREQ may
    /// have been lost).
    mutating func willTopicReceived(_ willTopic: MQTTSNWillTopic, now: NIODeadline) -> ClientSessionAction {
        guard self.isInWillExchange else {
            return .dropped(.unexpected)
        }
        self.lastHeard = now
        guard let will = willTopic.will else {
            self.state = .connectingUpstream
            self.upstream = .connecting
            return .connectUpstream
        }
        guard Self.isValidTopicName(will.topicName) else {
            return self.willTopicRefused(.willTopicInvalid, now: now)
        }
        self.state = .awaitingWillMessage(will)
        return .send(.willMessageRequest(MQTTSNWillMessageRequest()))
    }

    /// WILLMSG during the connect exchange: the will is complete, the upstream session can be opened.
    mutating func willMessageReceived(_ willMessage: MQTTSNWillMessage, now: NIODeadline) -> ClientSessionAction {
        guard case .awaitingWillMessage(let willTopic) = self.state else {
            return .dropped(.unexpected)
        }
        self.lastHeard = now
        self.will = UpstreamMessage(
            topic: willTopic.topicName,
            payload: willMessage.message,
            qos: UpstreamQoS(willTopic.qos),
            retain: willTopic.retain
        )
        self.state = .connectingUpstream
        self.upstream = .connecting
        return .connectUpstream
    }

    /// The upstream session is up. After the first CONNECT only now does the client get its CONNACK; after a
    /// re-establishment or a restore the subscriptions are restored (and a will update answered).
    mutating func upstreamConnected(now: NIODeadline) -> ClientSessionAction {
        switch self.upstream {
        case .up:
            return .none
        case .reestablishing(let response):
            self.upstream = .up
            return .restoreUpstream(subscriptions: self.subscriptions, thenSend: response)
        case .idle, .connecting:
            if self.state == .connectingUpstream {
                self.upstream = .up
                self.state = .active
                self.lastHeard = now
                return .send(.connectAck(MQTTSNConnectAck(returnCode: .accepted)))
            }
            guard self.isEstablished else {
                return .none
            }
            self.upstream = .up
            return .restoreUpstream(subscriptions: self.subscriptions, thenSend: nil)
        }
    }

    /// The broker refused the session or could not be reached.
    mutating func upstreamConnectFailed(_ returnCode: MQTTSNReturnCode) -> ClientSessionAction {
        switch self.upstream {
        case .reestablishing:
            self.state = .closed
            return .lost(.upstreamLost)
        case .idle, .connecting, .up:
            guard self.state == .connectingUpstream else {
                return .none
            }
            self.state = .closed
            return .rejectConnection(returnCode)
        }
    }

    /// The upstream connection dropped without this side closing it.
    mutating func upstreamLost(now: NIODeadline) -> ClientSessionAction {
        guard self.isEstablished, self.upstream == .up else {
            return .none
        }
        self.state = .closed
        return .lost(.upstreamLost)
    }

    /// Whether `connect` continues this session rather than starting a new one.
    ///
    /// A sleeping (or awake) client's CONNECT only says "I am active again" (specification section 6.14, figure 4:
    /// asleep/awake --CONNECT--> active): the session, its upstream MQTT connection and its buffer stay, whatever
    /// the clean session flag says. An active client's CONNECT continues the session only with clean session off
    /// (e.g. after its NAT mapping changed). A CONNECT asking for a will always starts a new session, because the
    /// will exchange and the upstream CONNECT belong together.
    func resumes(with connect: MQTTSNConnect) -> Bool {
        guard self.isEstablished, !connect.will else {
            return false
        }
        return !connect.cleanSession || self.sleepDuration != nil
    }

    /// Continues the session for a CONNECT that ``resumes(with:)``: topic ids, subscriptions and buffered messages
    /// survive, and buffered messages are delivered right after the CONNACK.
    mutating func resume(_ connect: MQTTSNConnect, now: NIODeadline) -> ClientSessionAction {
        guard self.resumes(with: connect) else {
            return .dropped(.unexpected)
        }
        self.state = .active
        self.keepAlive = connect.duration
        self.lastHeard = now
        return .send(.connectAck(MQTTSNConnectAck(returnCode: .accepted)))
    }

    /// WILLTOPICUPD: an empty one removes the will. MQTT cannot change a will on a live connection, so the upstream
    /// session is re-established (``ClientSessionAction/reestablishUpstream``) and the client answered once it is up.
    mutating func willTopicUpdateReceived(_ update: MQTTSNWillTopicUpdate, now: NIODeadline) -> ClientSessionAction {
        guard self.isEstablished else {
            return .dropped(.unexpected)
        }
        self.lastHeard = now
        let response = MQTTSNPacket.willTopicResponse(MQTTSNWillTopicResponse(returnCode: .accepted))
        guard let will = update.will else {
            self.will = nil
            return self.reestablishUpstream(thenSend: response)
        }
        guard Self.isValidTopicName(will.topicName) else {
            return .send(.willTopicResponse(MQTTSNWillTopicResponse(returnCode: .rejectedNotSupported)))
        }
        let payload = self.will?.payload ?? ByteBuffer()
        self.will = UpstreamMessage(
            topic: will.topicName,
            payload: payload,
            qos: UpstreamQoS(will.qos),
            retain: will.retain
        )
        return self.reestablishUpstream(thenSend: response)
    }

    /// WILLMSGUPD: a new will payload for the current will topic.
    mutating func willMessageUpdateReceived(_ update: MQTTSNWillMessageUpdate, now: NIODeadline) -> ClientSessionAction
    {
        guard self.isEstablished else {
            return .dropped(.unexpected)
        }
        self.lastHeard = now
        guard self.will != nil else {
            // There is no will topic to attach the message to.
            return .send(.willMessageResponse(MQTTSNWillMessageResponse(returnCode: .rejectedNotSupported)))
        }
        self.will?.payload = update.message
        return self.reestablishUpstream(
            thenSend: .willMessageResponse(MQTTSNWillMessageResponse(returnCode: .accepted))
        )
    }

    private mutating func reestablishUpstream(thenSend response: MQTTSNPacket) -> ClientSessionAction {
        self.upstream = .reestablishing(response: response)
        return .reestablishUpstream
    }

    /// Whether a name can be published to upstream: not empty, no wildcards, no NUL.
    static func isValidTopicName(_ name: String) -> Bool {
        !name.isEmpty && !name.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "#") || $0 == 0 })
    }
}
