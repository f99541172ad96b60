/// Counters of a running gateway, the same numbers it reports through swift-metrics.
public struct GatewayStatistics: Sendable, Hashable {
    /// Clients with a session (any state but lost).
    public var clientsConnected: Int = 0
    /// MQTT-SN messages received from clients (well formed or not).
    public var messagesIn: Int = 0
    /// MQTT-SN messages sent to clients.
    public var messagesOut: Int = 0
    /// Messages published upstream on behalf of clients (QoS -1 included).
    public var messagesPublishedUpstream: Int = 0
    /// Messages received from the broker for clients.
    public var messagesFromUpstream: Int = 0
    /// Datagrams or frames that did not decode.
    public var malformedMessages: Int = 0
    /// Messages dropped, by reason (`rate_limited`, `queue_full`, `duplicate`, `qos_minus_one_refused`...).
    public var droppedMessages: [String: Int] = [:]
    /// CONNECTs refused, by reason (`congestion`, `upstream_refused`, `shutting_down`).
    public var rejectedConnections: [String: Int] = [:]
    /// Client messages refused with an answer (CONNACK 0x03, SUBACK 0x03, DISCONNECT...), by reason
    /// (`client_id_too_long`, `topic_id_type_reserved`, `will_handshake_out_of_order`...). A refused message that
    /// did not decode is counted here, not in ``malformedMessages``.
    public var refusedMessages: [String: Int] = [:]
    /// Clients considered lost (keepalive, sleep, retransmissions, upstream loss).
    public var clientsLost: Int = 0
    /// Messages from clients without a session, answered with DISCONNECT.
    public var unknownClientMessages: Int = 0

    public init() {}
}
