/// The `ReturnCode` octet of CONNACK, REGACK, PUBACK, SUBACK, WILLTOPICRESP and WILLMSGRESP
/// (specification section 5.3.10).
///
/// Values 0x04...0xFF are reserved; they decode without error and are kept as they are, so that a gateway can log
/// what a device actually sent.
public struct MQTTSNReturnCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// 0x00.
    public static let accepted = MQTTSNReturnCode(rawValue: 0x00)
    /// 0x01: rejected because of congestion; the client should retry later.
    public static let rejectedCongestion = MQTTSNReturnCode(rawValue: 0x01)
    /// 0x02: rejected because the topic id is unknown or invalid.
    public static let rejectedInvalidTopicID = MQTTSNReturnCode(rawValue: 0x02)
    /// 0x03: rejected because the request is not supported.
    public static let rejectedNotSupported = MQTTSNReturnCode(rawValue: 0x03)

    /// Whether the code is one the specification defines (0x00...0x03).
    public var isKnown: Bool {
        self.rawValue <= 0x03
    }

    public var description: String {
        switch self.rawValue {
        case 0x00: "accepted"
        case 0x01: "rejected: congestion"
        case 0x02: "rejected: invalid topic ID"
        case 0x03: "rejected: not supported"
        default: "reserved return code 0x\(String(self.rawValue, radix: 16, uppercase: true))"
        }
    }
}
