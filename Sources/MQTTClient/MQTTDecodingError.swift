/// Malformed or unacceptable input found while decoding MQTT packets. The connection that produced it is closed.
///
/// Errors compare equal when their ``code`` matches, so a test can write
/// `#expect(throws: MQTTDecodingError.remainingLengthTooLong) { ... }` while ``description`` carries the details.
public struct MQTTDecodingError: Error, Hashable, CustomStringConvertible {
    /// What went wrong, without the details.
    public struct Code: Hashable, Sendable {
        fileprivate enum Base: Hashable, Sendable {
            case remainingLengthTooLong
            case packetTooLarge
            case invalidPacketType
            case invalidFixedHeaderFlags
            case truncatedPacket
            case trailingBytes
            case invalidUTF8String
            case invalidQoS
            case invalidProtocol
            case invalidProperty
            case zeroPacketIdentifier
            case protocolViolation
        }

        fileprivate let base: Base
    }

    public let code: Code
    public let description: String

    private init(_ base: Code.Base, _ description: String) {
        self.code = Code(base: base)
        self.description = description
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// The Remaining Length had a continuation bit on its 4th byte; MQTT allows at most 4 bytes.
    public static let remainingLengthTooLong = Self(.remainingLengthTooLong, "remaining length uses more than 4 bytes")
    /// The packet exceeds the configured maximum packet size.
    public static let packetTooLarge = Self(.packetTooLarge, "packet exceeds the maximum packet size")
    /// The packet type nibble is 0 or not one this client understands.
    public static let invalidPacketType = Self(.invalidPacketType, "invalid packet type")
    /// The fixed header flags are not the ones the packet type requires.
    public static let invalidFixedHeaderFlags = Self(.invalidFixedHeaderFlags, "invalid fixed header flags")
    /// The Remaining Length ended before every field the packet needs.
    public static let truncatedPacket = Self(.truncatedPacket, "packet ended before all its fields")
    /// Bytes were left over after every field of the packet.
    public static let trailingBytes = Self(.trailingBytes, "unexpected bytes after the packet's fields")
    /// A string is not well-formed UTF-8.
    public static let invalidUTF8String = Self(.invalidUTF8String, "string is not valid UTF-8")
    /// A QoS of 3.
    public static let invalidQoS = Self(.invalidQoS, "QoS 3 is not valid")
    /// CONNECT with a protocol name other than "MQTT" or a level other than 4 or 5.
    public static let invalidProtocol = Self(.invalidProtocol, "unsupported protocol name or level")
    /// An unknown property identifier or a malformed property.
    public static let invalidProperty = Self(.invalidProperty, "invalid property")
    /// A packet identifier of 0 where one is required.
    public static let zeroPacketIdentifier = Self(.zeroPacketIdentifier, "packet identifier 0 is not valid")
    /// A packet that is well-formed but breaks a protocol rule (an empty SUBSCRIBE, ...).
    public static let protocolViolation = Self(.protocolViolation, "protocol violation")

    static func packetTooLarge(size: Int, maximum: Int) -> Self {
        Self(.packetTooLarge, "packet of \(size) bytes exceeds the maximum packet size of \(maximum) bytes")
    }

    static func invalidPacketType(_ type: UInt8) -> Self {
        Self(.invalidPacketType, "invalid packet type \(type)")
    }

    static func invalidFixedHeaderFlags(type: UInt8, flags: UInt8) -> Self {
        Self(
            .invalidFixedHeaderFlags,
            "invalid fixed header flags 0x\(String(flags, radix: 16)) for packet type \(type)"
        )
    }

    static func truncatedPacket(field: String) -> Self {
        Self(.truncatedPacket, "packet ended before its \(field)")
    }

    static func trailingBytes(count: Int) -> Self {
        Self(.trailingBytes, "\(count) unexpected bytes after the packet's fields")
    }

    static func invalidUTF8String(field: String) -> Self {
        Self(.invalidUTF8String, "\(field) is not valid UTF-8")
    }

    static func invalidProtocol(name: String, level: UInt8) -> Self {
        Self(.invalidProtocol, "unsupported protocol name '\(name)' level \(level)")
    }

    static func invalidProperty(identifier: UInt8) -> Self {
        Self(.invalidProperty, "unknown property identifier 0x\(String(identifier, radix: 16))")
    }

    static func protocolViolation(_ reason: String) -> Self {
        Self(.protocolViolation, reason)
    }
}
