/// The type byte that starts every decoded serial frame (Firmware-Protocol/PROTOCOL.md section 3).
public struct SerialFrameType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Device to gateway: protocol versions, identity, maximum frame size.
    public static let hello = SerialFrameType(rawValue: 0x01)
    /// Gateway to device: accepted version, gateway maximum frame size, link keepalive.
    public static let helloAck = SerialFrameType(rawValue: 0x02)
    /// Gateway to device: the HELLO is refused, with a reason and the gateway's version range.
    public static let reject = SerialFrameType(rawValue: 0x03)
    /// Either direction: are you alive? Up to 8 token bytes.
    public static let linkPing = SerialFrameType(rawValue: 0x04)
    /// Either direction: the answer to a LINK-PING, echoing its token.
    public static let linkPong = SerialFrameType(rawValue: 0x05)
    /// Gateway to device: drop the link and say HELLO again (or reboot).
    public static let reset = SerialFrameType(rawValue: 0x06)
    /// Either direction: exactly one MQTT-SN message, unchanged.
    public static let mqttsn = SerialFrameType(rawValue: 0x10)

    /// Whether this protocol version defines the type.
    public var isKnown: Bool {
        (0x01...0x06).contains(self.rawValue) || self == .mqttsn
    }

    public var description: String {
        switch self {
        case .hello: "HELLO"
        case .helloAck: "HELLO-ACK"
        case .reject: "REJECT"
        case .linkPing: "LINK-PING"
        case .linkPong: "LINK-PONG"
        case .reset: "RESET"
        case .mqttsn: "MQTTSN"
        default: "type 0x\(String(self.rawValue, radix: 16, uppercase: true))"
        }
    }
}
