import MQTTSN

/// What the ``Gateway`` does after a ``ClientSessionStateMachine`` handled an event.
enum ClientSessionAction: Equatable, Sendable {
    /// Nothing.
    case none
    /// Send this packet to the client.
    case send(MQTTSNPacket)
    /// Send this packet to the client once the session's stored form is durable (a QoS 2 PUBREC: the message id it
    /// acknowledges is the uplink dedup state, which must survive a crash before the client may rely on it); at
    /// once when the session is not stored.
    case sendOnceStored(MQTTSNPacket)
    /// Open the upstream session (with the state machine's will, clean session and keepalive).
    case connectUpstream
    /// Publish upstream; when the broker acknowledged it, report back with
    /// ``ClientSessionStateMachine/upstreamPublishCompleted(_:succeeded:)``.
    case publishUpstream(UpstreamMessage, completion: UpstreamPublishCompletion)
    /// The upstream session is down (or earlier messages still wait): append the message to the durable outage
    /// buffer and report back with ``ClientSessionStateMachine/upstreamPublishCompleted(_:succeeded:)`` once it is
    /// durable (succeeded) or refused (not).
    case bufferForOutage(UpstreamMessage, completion: UpstreamPublishCompletion)
    /// Subscribe upstream; report back with
    /// ``ClientSessionStateMachine/subscribeCompleted(messageID:topicID:grantedQoS:)``.
    case subscribeUpstream(topicFilter: String, qos: UpstreamQoS, messageID: UInt16, topicID: UInt16)
    /// Unsubscribe upstream, then send UNSUBACK with this message id.
    case unsubscribeUpstream(topicFilter: String, messageID: UInt16)
    /// The client said goodbye: send DISCONNECT, close the upstream session with DISCONNECT (no will), and forget
    /// the session unless it is kept (state `disconnected`).
    case closeGracefully
    /// The connection attempt failed: send CONNACK with this code, drop the upstream session, forget the client.
    case rejectConnection(MQTTSNReturnCode)
    /// A kept session's connect attempt failed: send CONNACK with this code; the session waits for the next CONNECT.
    case refuseReconnect(MQTTSNReturnCode)
    /// The client is lost: drop the upstream session without DISCONNECT so that the broker publishes the will, and
    /// forget the session unless it is kept (state `disconnected`).
    case lost(ClientLossReason)
    /// Acknowledge a broker message upstream (the client has it, or it was dropped).
    case acknowledgeUpstream(UpstreamAcknowledgement)
    /// A message was dropped; count it.
    case dropped(ClientDropReason)
    /// The will changed: close the upstream session gracefully (the old will is discarded) and open it again with
    /// the state machine's parameters; report back with ``ClientSessionStateMachine/upstreamConnected(now:)``.
    case reestablishUpstream
    /// The upstream session is up again: subscribe to `subscriptions` (no answers to the client), then send
    /// `thenSend` if any.
    case restoreUpstream(subscriptions: [String: UpstreamQoS], thenSend: MQTTSNPacket?)
    /// A broker message was not delivered (``DeliveryDropReason``, the size of the packet that could not go):
    /// count and log it. The session and the rest of its queue stay; the gateway goes on with the next message.
    /// QoS 1/2: the message must not count as delivered upstream; with end-to-end acknowledgement that is the
    /// outcome to report to the broker (not acknowledged).
    case deliveryDropped(UpstreamMessage, DeliveryDropReason, size: Int)
    /// Refuse the client's message: send the refusal's answer, count and log its reason; with `endsSession` the
    /// session is removed too (a will exchange that cannot go on).
    case refuse(ClientRefusal, endsSession: Bool)
}
