import MQTTSN
import NIOCore

extension ClientSessionStateMachine {
    /// Queues a broker message for the client. When the queue is full the oldest waiting message is dropped and
    /// `true` returned, so the gateway can count it.
    mutating func enqueue(_ message: UpstreamMessage) -> Bool {
        var droppedOldest = false
        if self.queue.count >= self.settings.queueLimit {
            self.queue.removeFirst()
            droppedOldest = true
        }
        self.queue.append(message)
        return droppedOldest
    }

    /// The next packet to send to the client, if the delivery window is free. The gateway calls it until it answers
    /// ``ClientSessionAction/none``.
    ///
    /// One QoS 1/2 message (or one REGISTER) is in flight at a time, which keeps order and suits devices that can
    /// hold one message. QoS 0 messages go out back to back. An awake client gets its PINGRESP once everything
    /// buffered was delivered, and goes back to sleep.
    mutating func nextDelivery(now: NIODeadline) -> ClientSessionAction {
        let awakeFor: UInt16?
        switch self.state {
        case .active: awakeFor = nil
        case .awake(let duration): awakeFor = duration
        default: return .none
        }
        guard self.inFlight == nil else {
            return .none
        }
        guard let message = self.queue.popFirst() else {
            if let awakeFor {
                self.state = .asleep(duration: awakeFor)
                self.lastHeard = now
                return .send(.pingResponse(MQTTSNPingResponse()))
            }
            return .none
        }
        if let tooLarge = self.dropIfTooLarge(message) {
            return tooLarge
        }
        if let target = self.registry.outboundTopic(for: message.topic) {
            return self.startPublish(message, topicIDType: target.type, topicID: target.id, now: now)
        }
        if let tooLarge = self.dropIfRegisterTooLarge(message) {
            return tooLarge
        }
        switch self.registry.register(message.topic) {
        case .assigned(let topicID), .existing(let topicID):
            let messageID = self.takeMessageID()
            let packet = MQTTSNPacket.register(
                MQTTSNRegister(topicID: topicID, messageID: messageID, topicName: message.topic)
            )
            self.inFlight = InFlight(
                message: message,
                messageID: messageID,
                stage: .registering(topicID: topicID),
                packet: packet,
                retransmissions: 0,
                deadline: now + self.settings.retryInterval
            )
            return .send(packet)
        case .full:
            return .dropped(.topicLimit)
        }
    }

    private mutating func startPublish(
        _ message: UpstreamMessage,
        topicIDType: MQTTSNTopicIDType,
        topicID: UInt16,
        now: NIODeadline
    ) -> ClientSessionAction {
        let messageID = message.qos == .atMostOnce ? 0 : self.takeMessageID()
        let publish = MQTTSNPacket.publish(
            MQTTSNPublish(
                qos: message.qos.mqttsnQoS,
                retain: message.retain,
                topicIDType: topicIDType,
                topicID: topicID,
                messageID: messageID,
                payload: message.payload
            )
        )
        switch message.qos {
        case .atMostOnce:
            self.inFlight = nil
        case .atLeastOnce, .exactlyOnce:
            self.inFlight = InFlight(
                message: message,
                messageID: messageID,
                stage: message.qos == .atLeastOnce ? .awaitingPublishAck : .awaitingPublishReceived,
                packet: publish,
                retransmissions: 0,
                deadline: now + self.settings.retryInterval
            )
        }
        return .send(publish)
    }

    /// REGACK for a gateway-initiated REGISTER: now the message can be published.
    mutating func registerAckReceived(_ ack: MQTTSNRegisterAck, now: NIODeadline) -> ClientSessionAction {
        self.lastHeard = now
        guard let inFlight = self.inFlight, inFlight.messageID == ack.messageID,
            case .registering(let topicID) = inFlight.stage
        else {
            return .none
        }
        guard ack.returnCode == .accepted else {
            self.registry.remove(id: topicID)
            self.inFlight = nil
            return .dropped(.registrationRefused)
        }
        return self.startPublish(inFlight.message, topicIDType: .normal, topicID: topicID, now: now)
    }

    /// PUBACK for a QoS 1 message (or a refusal of a QoS 2 one).
    mutating func publishAckReceived(_ ack: MQTTSNPublishAck, now: NIODeadline) -> ClientSessionAction {
        self.lastHeard = now
        guard let inFlight = self.inFlight, inFlight.messageID == ack.messageID,
            inFlight.stage == .awaitingPublishAck || inFlight.stage == .awaitingPublishReceived
        else {
            return .none
        }
        self.inFlight = nil
        if ack.returnCode == .rejectedInvalidTopicID {
            // The client lost the registration (e.g. it rebooted): the next message for it registers again.
            if case .publish(let publish) = inFlight.packet, publish.topicIDType == .normal {
                self.registry.remove(id: publish.topicID)
            }
        }
        return ack.returnCode == .accepted ? .none : .dropped(.refusedByClient)
    }

    /// PUBREC for a QoS 2 message: release it.
    mutating func publishReceivedReceived(_ received: MQTTSNPublishReceived, now: NIODeadline) -> ClientSessionAction {
        self.lastHeard = now
        guard var inFlight = self.inFlight, inFlight.messageID == received.messageID else {
            return .none
        }
        switch inFlight.stage {
        case .awaitingPublishReceived, .awaitingPublishComplete:
            let release = MQTTSNPacket.publishRelease(MQTTSNPublishRelease(messageID: received.messageID))
            inFlight.stage = .awaitingPublishComplete
            inFlight.packet = release
            inFlight.retransmissions = 0
            inFlight.deadline = now + self.settings.retryInterval
            self.inFlight = inFlight
            return .send(release)
        case .awaitingPublishAck, .registering:
            return .none
        }
    }

    /// PUBCOMP ends a QoS 2 delivery.
    mutating func publishCompleteReceived(_ complete: MQTTSNPublishComplete, now: NIODeadline) -> ClientSessionAction {
        self.lastHeard = now
        if let inFlight = self.inFlight, inFlight.messageID == complete.messageID,
            inFlight.stage == .awaitingPublishComplete
        {
            self.inFlight = nil
        }
        return .none
    }
}
