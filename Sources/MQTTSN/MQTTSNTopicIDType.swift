/// How the two-octet `TopicId` of a PUBLISH, SUBSCRIBE or UNSUBSCRIBE is to be read.
///
/// It occupies bits 1 and 0 of the flags octet (see ``MQTTSNFlags``). The pattern `0b11` is reserved and has no
/// case here; decoders reject it with ``MQTTSNDecodingError/reservedTopicIDType``.
public enum MQTTSNTopicIDType: UInt8, Sendable, Hashable, CaseIterable {
    /// `0b00`: a topic id the gateway assigned through REGISTER / REGACK (or a topic name in SUBSCRIBE).
    case normal = 0b00
    /// `0b01`: a topic id both sides agreed on beforehand.
    case predefined = 0b01
    /// `0b10`: a two-character topic name carried in place of the topic id.
    case shortName = 0b10
}
