/// The quality of service of a PUBLISH, a subscription or a will.
///
/// On the wire it occupies bits 6 and 5 of the flags octet (see ``MQTTSNFlags``). All four bit patterns are
/// meaningful: `0b11` is MQTT-SN's "QoS -1", a publish from a client that never connected.
public enum MQTTSNQoS: Sendable, Hashable, CaseIterable {
    /// QoS 0, `0b00`.
    case atMostOnce
    /// QoS 1, `0b01`.
    case atLeastOnce
    /// QoS 2, `0b10`.
    case exactlyOnce
    /// QoS -1, `0b11`: publish without a connection, only valid in PUBLISH with a predefined topic id or a short
    /// topic name.
    case fireAndForget

    /// Reads the QoS from its two-bit flags value (the low two bits of `bits`; higher bits are ignored).
    public init(flagBits bits: UInt8) {
        switch bits & 0b11 {
        case 0b00: self = .atMostOnce
        case 0b01: self = .atLeastOnce
        case 0b10: self = .exactlyOnce
        default: self = .fireAndForget
        }
    }

    /// The two-bit flags value (`0b00`...`0b11`).
    public var flagBits: UInt8 {
        switch self {
        case .atMostOnce: 0b00
        case .atLeastOnce: 0b01
        case .exactlyOnce: 0b10
        case .fireAndForget: 0b11
        }
    }

    /// The QoS as the specification numbers it: 0, 1, 2 or -1.
    public var level: Int {
        switch self {
        case .atMostOnce: 0
        case .atLeastOnce: 1
        case .exactlyOnce: 2
        case .fireAndForget: -1
        }
    }
}
