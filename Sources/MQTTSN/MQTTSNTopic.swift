/// The topic of a SUBSCRIBE or UNSUBSCRIBE: a full topic name (possibly with wildcards), a predefined topic id or
/// a short topic name. The case determines the topic id type bits of the flags octet.
public enum MQTTSNTopic: Sendable, Hashable {
    /// Topic id type `0b00`: a UTF-8 topic name or filter filling the rest of the message. Never empty.
    case name(String)
    /// Topic id type `0b01`: a two-octet predefined topic id.
    case predefined(UInt16)
    /// Topic id type `0b10`: a two-octet short topic name.
    case shortName(MQTTSNShortTopicName)

    /// The topic id type the case is sent with.
    public var topicIDType: MQTTSNTopicIDType {
        switch self {
        case .name: .normal
        case .predefined: .predefined
        case .shortName: .shortName
        }
    }
}
