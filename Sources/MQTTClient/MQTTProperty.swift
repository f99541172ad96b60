import NIOCore

/// One MQTT 5.0 property. The identifier byte of each case is given in brackets.
public enum MQTTProperty: Sendable, Hashable {
    /// [0x01] 0 = unspecified bytes, 1 = UTF-8 payload.
    case payloadFormatIndicator(UInt8)
    /// [0x02] Seconds until the message expires.
    case messageExpiryInterval(UInt32)
    /// [0x03]
    case contentType(String)
    /// [0x08]
    case responseTopic(String)
    /// [0x09]
    case correlationData(ByteBuffer)
    /// [0x0B] A variable byte integer, 1...268,435,455.
    case subscriptionIdentifier(UInt32)
    /// [0x11] Seconds the session outlives the connection; 0xFFFFFFFF = never expires.
    case sessionExpiryInterval(UInt32)
    /// [0x12]
    case assignedClientIdentifier(String)
    /// [0x13] The keep alive the server wants us to use, overriding ours.
    case serverKeepAlive(UInt16)
    /// [0x15]
    case authenticationMethod(String)
    /// [0x16]
    case authenticationData(ByteBuffer)
    /// [0x17]
    case requestProblemInformation(UInt8)
    /// [0x18]
    case willDelayInterval(UInt32)
    /// [0x19]
    case requestResponseInformation(UInt8)
    /// [0x1A]
    case responseInformation(String)
    /// [0x1C]
    case serverReference(String)
    /// [0x1F] Human-readable diagnostics accompanying a reason code.
    case reasonString(String)
    /// [0x21] How many QoS 1/2 publishes the sender of this property accepts in flight.
    case receiveMaximum(UInt16)
    /// [0x22]
    case topicAliasMaximum(UInt16)
    /// [0x23]
    case topicAlias(UInt16)
    /// [0x24]
    case maximumQoS(UInt8)
    /// [0x25]
    case retainAvailable(UInt8)
    /// [0x26] May appear several times.
    case userProperty(String, String)
    /// [0x27] The largest packet the sender of this property accepts.
    case maximumPacketSize(UInt32)
    /// [0x28]
    case wildcardSubscriptionAvailable(UInt8)
    /// [0x29]
    case subscriptionIdentifierAvailable(UInt8)
    /// [0x2A]
    case sharedSubscriptionAvailable(UInt8)

    /// The identifier byte on the wire.
    public var identifier: UInt8 {
        switch self {
        case .payloadFormatIndicator: 0x01
        case .messageExpiryInterval: 0x02
        case .contentType: 0x03
        case .responseTopic: 0x08
        case .correlationData: 0x09
        case .subscriptionIdentifier: 0x0B
        case .sessionExpiryInterval: 0x11
        case .assignedClientIdentifier: 0x12
        case .serverKeepAlive: 0x13
        case .authenticationMethod: 0x15
        case .authenticationData: 0x16
        case .requestProblemInformation: 0x17
        case .willDelayInterval: 0x18
        case .requestResponseInformation: 0x19
        case .responseInformation: 0x1A
        case .serverReference: 0x1C
        case .reasonString: 0x1F
        case .receiveMaximum: 0x21
        case .topicAliasMaximum: 0x22
        case .topicAlias: 0x23
        case .maximumQoS: 0x24
        case .retainAvailable: 0x25
        case .userProperty: 0x26
        case .maximumPacketSize: 0x27
        case .wildcardSubscriptionAvailable: 0x28
        case .subscriptionIdentifierAvailable: 0x29
        case .sharedSubscriptionAvailable: 0x2A
        }
    }
}
