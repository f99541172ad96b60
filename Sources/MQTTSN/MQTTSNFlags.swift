/// The flags octet of CONNECT, WILLTOPIC, PUBLISH, SUBSCRIBE, SUBACK, UNSUBSCRIBE and WILLTOPICUPD
/// (specification section 5.3.4).
///
/// ```
///     7       6    5      4        3          2            1    0
/// +-------+-----------+--------+------+--------------+-------------+
/// |  DUP  |    QoS    | Retain | Will | CleanSession | TopicIdType |
/// +-------+-----------+--------+------+--------------+-------------+
/// ```
///
/// Each message only uses some of the fields; the others are "not relevant" and ignored when decoding. The packet
/// structs therefore carry only their relevant fields, and this type is the bit-level view used to build and read
/// the octet. It stores the raw octet so that nothing is lost, including a reserved topic id type.
public struct MQTTSNFlags: Sendable, Hashable, RawRepresentable {
    public var rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    public init(
        dup: Bool = false,
        qos: MQTTSNQoS = .atMostOnce,
        retain: Bool = false,
        will: Bool = false,
        cleanSession: Bool = false,
        topicIDType: MQTTSNTopicIDType = .normal
    ) {
        self.rawValue = 0
        self.dup = dup
        self.qos = qos
        self.retain = retain
        self.will = will
        self.cleanSession = cleanSession
        self.topicIDType = topicIDType
    }

    private static let dupBit: UInt8 = 1 << 7
    private static let qosShift: UInt8 = 5
    private static let retainBit: UInt8 = 1 << 4
    private static let willBit: UInt8 = 1 << 3
    private static let cleanSessionBit: UInt8 = 1 << 2
    private static let topicIDTypeMask: UInt8 = 0b11

    /// Set when the message is a retransmission (PUBLISH, SUBSCRIBE).
    public var dup: Bool {
        get { self.rawValue & Self.dupBit != 0 }
        set { self.setBit(Self.dupBit, newValue) }
    }

    /// QoS of a PUBLISH, the requested / granted QoS of SUBSCRIBE / SUBACK, the will QoS of WILLTOPIC.
    public var qos: MQTTSNQoS {
        get { MQTTSNQoS(flagBits: self.rawValue >> Self.qosShift) }
        set { self.rawValue = (self.rawValue & ~(0b11 << Self.qosShift)) | (newValue.flagBits << Self.qosShift) }
    }

    /// Retain of a PUBLISH, will retain of WILLTOPIC.
    public var retain: Bool {
        get { self.rawValue & Self.retainBit != 0 }
        set { self.setBit(Self.retainBit, newValue) }
    }

    /// CONNECT: the client wants to be asked for a will topic and message.
    public var will: Bool {
        get { self.rawValue & Self.willBit != 0 }
        set { self.setBit(Self.willBit, newValue) }
    }

    /// CONNECT: start a clean session.
    public var cleanSession: Bool {
        get { self.rawValue & Self.cleanSessionBit != 0 }
        set { self.setBit(Self.cleanSessionBit, newValue) }
    }

    /// The topic id type, or `nil` when the bits hold the reserved pattern `0b11`.
    public var topicIDType: MQTTSNTopicIDType? {
        get { MQTTSNTopicIDType(rawValue: self.rawValue & Self.topicIDTypeMask) }
        set {
            // Writing nil stores the reserved pattern, so that the getter reads back what was set.
            let bits = newValue?.rawValue ?? Self.topicIDTypeMask
            self.rawValue = (self.rawValue & ~Self.topicIDTypeMask) | bits
        }
    }

    private mutating func setBit(_ bit: UInt8, _ isSet: Bool) {
        if isSet {
            self.rawValue |= bit
        } else {
            self.rawValue &= ~bit
        }
    }
}
