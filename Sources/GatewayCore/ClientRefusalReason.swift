/// Why the gateway refused a client's message with an answer (a return code or DISCONNECT) instead of acting on it;
/// the raw value is the `reason` dimension of `snbridge_messages_refused_total`.
///
/// A refusal is never silent: the client gets the answer, the reason is counted, and a notice (throttled) names
/// the client and the reason.
enum ClientRefusalReason: String, Hashable, Sendable, CaseIterable {
    /// CONNECT without a client id: CONNACK 0x03.
    case clientIDEmpty = "client_id_empty"
    /// CONNECT with a client id longer than `gateway.max_client_id_length`: CONNACK 0x03.
    case clientIDTooLong = "client_id_too_long"
    /// CONNECT with a client id that is not UTF-8, or otherwise malformed (protocol id, truncated): CONNACK 0x03.
    case connectMalformed = "connect_malformed"
    /// PINGREQ whose client id is over-long or not UTF-8: DISCONNECT.
    case pingClientIDInvalid = "ping_client_id_invalid"
    /// SUBSCRIBE or UNSUBSCRIBE with the reserved TopicIdType 0b11: SUBACK 0x03 (UNSUBACK).
    case topicIDTypeReserved = "topic_id_type_reserved"
    /// A topic name longer than `gateway.max_topic_name_length`: REGACK / SUBACK 0x03 (UNSUBACK).
    case topicNameTooLong = "topic_name_too_long"
    /// A topic name that is empty or not UTF-8: REGACK / SUBACK 0x03 (UNSUBACK).
    case topicNameInvalid = "topic_name_invalid"
    /// A SUBSCRIBE asking for QoS -1, which only PUBLISH may use: SUBACK 0x03.
    case subscribeQoSInvalid = "subscribe_qos_invalid"
    /// A will topic longer than `gateway.max_topic_name_length`: CONNACK 0x03 (WILLTOPICRESP 0x03 for an update).
    case willTopicTooLong = "will_topic_too_long"
    /// A will topic with wildcards, empty, not UTF-8 or with QoS -1: CONNACK 0x03 (WILLTOPICRESP 0x03).
    case willTopicInvalid = "will_topic_invalid"
    /// REGISTER, PUBLISH, WILLMSG (or other session traffic) before the will exchange finished: DISCONNECT.
    case willHandshakeOutOfOrder = "will_handshake_out_of_order"
}
