import MQTTSN
import NIOCore

extension ClientSessionStateMachine {
    /// A PUBLISH from the client.
    ///
    /// QoS 1 and 2 are acknowledged end to end: the PUBACK or PUBREC goes out only when the broker acknowledged the
    /// message (``upstreamPublishCompleted(_:succeeded:)``). A QoS 2 message id already handed upstream or already
    /// acknowledged with PUBREC is never published again, whatever the DUP flag says. While the upstream session
    /// is down, QoS 1/2 get PUBACK "congestion" at once and QoS 0 is dropped and counted. A PUBREC goes out only
    /// once the session holding the message id is stored (``ClientSessionAction/sendOnceStored(_:)``).
    mutating func publishReceived(_ publish: MQTTSNPublish, now: NIODeadline) -> ClientSessionAction {
        guard self.isEstablished else {
            return .dropped(.unexpected)
        }
        self.lastHeard = now
        switch publish.qos {
        case .exactlyOnce:
            if self.awaitingRelease.contains(publish.messageID) {
                // The PUBREC got lost: repeat it, do not publish again.
                return .sendOnceStored(.publishReceived(MQTTSNPublishReceived(messageID: publish.messageID)))
            }
            if self.publishingUpstream.contains(publish.messageID) {
                return .dropped(.duplicate)
            }
        case .atLeastOnce:
            if self.publishingUpstream.contains(publish.messageID) {
                // The broker has not acknowledged the first copy yet; its PUBACK will answer both.
                return .dropped(.duplicate)
            }
        case .atMostOnce, .fireAndForget:
            break
        }

        guard let topic = self.registry.topicName(for: publish.topicID, type: publish.topicIDType),
            Self.isValidTopicName(topic)
        else {
            return .send(
                .publishAck(
                    MQTTSNPublishAck(
                        topicID: publish.topicID,
                        messageID: publish.messageID,
                        returnCode: .rejectedInvalidTopicID
                    )
                )
            )
        }

        if self.settings.outageBuffering, publish.qos == .atLeastOnce || publish.qos == .exactlyOnce,
            !self.isUpstreamUp || self.hasOutageBacklog
        {
            // Into the durable outage buffer, answered once it is on disk; forwarded in order when the broker is back.
            self.publishingUpstream.insert(publish.messageID)
            let message = UpstreamMessage(
                topic: topic,
                payload: publish.payload,
                qos: UpstreamQoS(publish.qos),
                retain: publish.retain
            )
            return .bufferForOutage(
                message,
                completion: publish.qos == .atLeastOnce
                    ? .publishAck(topicID: publish.topicID, messageID: publish.messageID)
                    : .publishReceived(topicID: publish.topicID, messageID: publish.messageID)
            )
        }

        guard self.isUpstreamUp else {
            // The broker is out of reach: "congestion" makes the client try again later, instead of waiting for an
            // answer that cannot come.
            return Self.congestion(publish, droppedAs: .upstreamDown)
        }

        if self.rateLimiter != nil, self.rateLimiter!.take(now: now) == false {
            return Self.congestion(publish, droppedAs: .rateLimited)
        }

        let message = UpstreamMessage(
            topic: topic,
            payload: publish.payload,
            qos: UpstreamQoS(publish.qos),
            retain: publish.retain
        )
        switch publish.qos {
        case .atMostOnce, .fireAndForget:
            return .publishUpstream(message, completion: .none)
        case .atLeastOnce:
            self.publishingUpstream.insert(publish.messageID)
            return .publishUpstream(
                message,
                completion: .publishAck(topicID: publish.topicID, messageID: publish.messageID)
            )
        case .exactlyOnce:
            self.publishingUpstream.insert(publish.messageID)
            return .publishUpstream(
                message,
                completion: .publishReceived(topicID: publish.topicID, messageID: publish.messageID)
            )
        }
    }

    /// "Try again later": PUBACK congestion for QoS 1/2 (the client retries), a counted drop for QoS 0.
    private static func congestion(_ publish: MQTTSNPublish, droppedAs reason: ClientDropReason) -> ClientSessionAction
    {
        switch publish.qos {
        case .atMostOnce, .fireAndForget:
            return .dropped(reason)
        case .atLeastOnce, .exactlyOnce:
            return .send(
                .publishAck(
                    MQTTSNPublishAck(
                        topicID: publish.topicID,
                        messageID: publish.messageID,
                        returnCode: .rejectedCongestion
                    )
                )
            )
        }
    }

    /// The broker acknowledged (or the upstream session failed) a PUBLISH of the client.
    mutating func upstreamPublishCompleted(
        _ completion: UpstreamPublishCompletion,
        succeeded: Bool
    ) -> ClientSessionAction {
        switch completion {
        case .none:
            return .none
        case .publishAck(let topicID, let messageID):
            self.publishingUpstream.remove(messageID)
            return .send(
                .publishAck(
                    MQTTSNPublishAck(
                        topicID: topicID,
                        messageID: messageID,
                        returnCode: succeeded ? .accepted : .rejectedCongestion
                    )
                )
            )
        case .publishReceived(let topicID, let messageID):
            self.publishingUpstream.remove(messageID)
            guard succeeded else {
                return .send(
                    .publishAck(
                        MQTTSNPublishAck(topicID: topicID, messageID: messageID, returnCode: .rejectedCongestion)
                    )
                )
            }
            self.awaitingRelease.insert(messageID)
            // Only once the message id is stored: a client that got PUBREC never publishes the id again, so after a
            // crash the restored session must still know it.
            return .sendOnceStored(.publishReceived(MQTTSNPublishReceived(messageID: messageID)))
        }
    }

    /// PUBREL from the client ends its QoS 2 exchange. It is answered with PUBCOMP even for an unknown message id,
    /// because a repeated PUBREL means our first PUBCOMP was lost.
    mutating func publishReleaseReceived(_ release: MQTTSNPublishRelease, now: NIODeadline) -> ClientSessionAction {
        self.lastHeard = now
        self.awaitingRelease.remove(release.messageID)
        return .send(.publishComplete(MQTTSNPublishComplete(messageID: release.messageID)))
    }

    /// REGISTER from the client: it wants an id for a topic name it will publish to.
    mutating func registerReceived(_ register: MQTTSNRegister, now: NIODeadline) -> ClientSessionAction {
        guard self.isEstablished else {
            return .dropped(.unexpected)
        }
        self.lastHeard = now
        guard Self.isValidTopicName(register.topicName) else {
            return .send(
                .registerAck(
                    MQTTSNRegisterAck(topicID: 0, messageID: register.messageID, returnCode: .rejectedInvalidTopicID)
                )
            )
        }
        switch self.registry.register(register.topicName) {
        case .assigned(let id), .existing(let id):
            return .send(
                .registerAck(MQTTSNRegisterAck(topicID: id, messageID: register.messageID, returnCode: .accepted))
            )
        case .full:
            return .send(
                .registerAck(
                    MQTTSNRegisterAck(topicID: 0, messageID: register.messageID, returnCode: .rejectedCongestion)
                )
            )
        }
    }
}
