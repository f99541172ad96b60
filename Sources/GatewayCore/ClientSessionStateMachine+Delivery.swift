import MQTTSN
import NIOCore

extension ClientSessionStateMachine {
    /// Queues a broker message for the client; returns why a message was dropped to make room, if one was.
    ///
    /// The queue holds up to ``Settings/downlinkQueueLimit`` messages: the upstream session's receive window is
    /// that size, and QoS 1/2 messages are acknowledged upstream only once the client has them, so a broker that
    /// keeps to the window never overflows it. A sleeping client keeps at most ``Settings/queueLimit`` QoS 0
    /// messages. When a limit is reached the oldest QoS 0 message goes; when the queue holds only QoS 1/2 messages,
    /// the new one is dropped (and acknowledged upstream, so that the broker's window does not stall). Either way
    /// the caller counts and logs it.
    mutating func enqueue(
        _ message: UpstreamMessage,
        acknowledgement: UpstreamAcknowledgement? = nil
    ) -> ClientDropReason? {
        var dropped: ClientDropReason?
        if message.qos == .atMostOnce, self.sleepDuration != nil {
            var kept = 0
            for downlink in self.queue where downlink.message.qos == .atMostOnce { kept += 1 }
            if kept >= self.settings.queueLimit, self.dropOldestAtMostOnce() {
                dropped = .queueFull
            }
        }
        if self.queue.count >= self.settings.downlinkQueueLimit {
            guard self.dropOldestAtMostOnce() else {
                if let acknowledgement { self.acknowledgementsDue.append(acknowledgement) }
                return .downlinkQueueFull
            }
            dropped = .queueFull
        }
        self.queue.append(Downlink(message: message, acknowledgement: acknowledgement))
        return dropped
    }

    private mutating func dropOldestAtMostOnce() -> Bool {
        guard let index = self.queue.firstIndex(where: { $0.message.qos == .atMostOnce }) else {
            return false
        }
        self.queue.remove(at: index)
        return true
    }

    /// The next thing to do for the client's downlink: an upstream acknowledgement that is due, or the next packet
    /// to send if the delivery window is free. The gateway calls it until it answers ``ClientSessionAction/none``.
    ///
    /// One QoS 1/2 message (or one REGISTER) is in flight at a time, which keeps order and suits devices that can
    /// hold one message. QoS 0 messages go out back to back. An awake client gets its PINGRESP once everything
    /// buffered was delivered, and goes back to sleep.
    mutating func nextDelivery(now: NIODeadline) -> ClientSessionAction {
        if !self.acknowledgementsDue.isEmpty {
            return .acknowledgeUpstream(self.acknowledgementsDue.removeFirst())
        }
        let awakeFor: UInt16?
        switch self.state {
        case .active: awakeFor = nil
        case .awake(let duration): awakeFor = duration
        default: return .none
        }
        guard self.inFlight == nil else {
            return .none
        }
        guard let downlink = self.queue.popFirst() else {
            if let awakeFor {
                self.state = .asleep(duration: awakeFor)
                self.lastHeard = now
                return .send(.pingResponse(MQTTSNPingResponse()))
            }
            return .none
        }
        let message = downlink.message
        if let tooLarge = self.dropIfTooLarge(message) {
            self.acknowledge(downlink)
            return tooLarge
        }
        if let target = self.registry.outboundTopic(for: message.topic) {
            return self.startPublish(downlink, topicIDType: target.type, topicID: target.id, now: now)
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
                downlink: downlink,
                messageID: messageID,
                stage: .registering(topicID: topicID),
                packet: packet,
                retransmissions: 0,
                deadline: now + self.settings.retryInterval
            )
            return .send(packet)
        case .full:
            self.acknowledge(downlink)
            return .dropped(.topicLimit)
        }
    }

    /// The client has the message (or it was dropped): its upstream acknowledgement is due.
    mutating func acknowledge(_ downlink: Downlink) {
        if let acknowledgement = downlink.acknowledgement {
            self.acknowledgementsDue.append(acknowledgement)
        }
    }

    private mutating func startPublish(
        _ downlink: Downlink,
        topicIDType: MQTTSNTopicIDType,
        topicID: UInt16,
        now: NIODeadline
    ) -> ClientSessionAction {
        let message = downlink.message
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
            self.acknowledge(downlink)
        case .atLeastOnce, .exactlyOnce:
            self.inFlight = InFlight(
                downlink: downlink,
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
            self.acknowledge(inFlight.downlink)
            return .dropped(.registrationRefused)
        }
        return self.startPublish(inFlight.downlink, topicIDType: .normal, topicID: topicID, now: now)
    }

    /// PUBACK for a QoS 1 message (or a refusal of a QoS 2 one).
    ///
    /// "Invalid topic id" means the client lost the registration (e.g. it rebooted): the topic is registered again
    /// and the same message re-sent, once (section 6.8). Other refusals drop the message, counted.
    mutating func publishAckReceived(_ ack: MQTTSNPublishAck, now: NIODeadline) -> ClientSessionAction {
        self.lastHeard = now
        guard let inFlight = self.inFlight, inFlight.messageID == ack.messageID,
            inFlight.stage == .awaitingPublishAck || inFlight.stage == .awaitingPublishReceived
        else {
            return .none
        }
        self.inFlight = nil
        if ack.returnCode == .accepted {
            self.acknowledge(inFlight.downlink)
            return .none
        }
        if ack.returnCode == .rejectedInvalidTopicID, case .publish(let publish) = inFlight.packet,
            publish.topicIDType == .normal
        {
            self.registry.remove(id: publish.topicID)
            if !inFlight.downlink.resentAfterInvalidTopic {
                var again = inFlight.downlink
                again.resentAfterInvalidTopic = true
                self.queue.prepend(again)
                return .none
            }
        }
        self.acknowledge(inFlight.downlink)
        return .dropped(.refusedByClient)
    }

    /// PUBREC for a QoS 2 message: the client owns it now (acknowledged upstream); release it.
    mutating func publishReceivedReceived(_ received: MQTTSNPublishReceived, now: NIODeadline) -> ClientSessionAction {
        self.lastHeard = now
        guard var inFlight = self.inFlight, inFlight.messageID == received.messageID else {
            return .none
        }
        switch inFlight.stage {
        case .awaitingPublishReceived, .awaitingPublishComplete:
            if inFlight.stage == .awaitingPublishReceived {
                self.acknowledge(inFlight.downlink)
                inFlight.downlink.acknowledgement = nil
            }
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
