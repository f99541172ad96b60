/// The acknowledgement a broker's QoS 1 or 2 PUBLISH waits for, when the application acknowledges deliveries
/// itself (``MQTTClient/init(configuration:eventLoop:logger:deliveryHandler:connectionHandler:)``).
///
/// Until ``MQTTClient/acknowledge(_:)`` is called the broker gets no PUBACK (QoS 1) or PUBREC (QoS 2) and counts
/// the message against its in-flight window for this client, so it holds back further messages rather than the
/// application having to drop them. A redelivery of an unacknowledged message (DUP, after a resumed session) is
/// not handed over again; the acknowledgement then answers it on the current connection.
///
/// An acknowledgement belongs to one session: once the broker started a new one (clean session, or the session
/// was not present), older acknowledgements are ignored, because their packet identifiers mean nothing there.
public struct MQTTInboundAcknowledgement: Sendable, Hashable {
    public let packetID: UInt16
    public let qos: MQTTQoS
    /// Which broker session the packet identifier belongs to.
    let sessionEpoch: UInt64

    init(packetID: UInt16, qos: MQTTQoS, sessionEpoch: UInt64) {
        self.packetID = packetID
        self.qos = qos
        self.sessionEpoch = sessionEpoch
    }
}
