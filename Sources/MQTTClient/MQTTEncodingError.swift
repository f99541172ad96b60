/// A packet that cannot be put on the wire. Nothing is written when encoding fails.
///
/// Errors compare equal when their ``code`` matches; ``description`` carries the details.
public struct MQTTEncodingError: Error, Hashable, CustomStringConvertible {
    /// What went wrong, without the details.
    public struct Code: Hashable, Sendable {
        fileprivate enum Base: Hashable, Sendable {
            case packetTooLarge
            case stringTooLong
            case binaryDataTooLong
            case invalidPacketIdentifier
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

    /// The encoded packet exceeds the peer's maximum packet size (or MQTT's absolute limit of 268,435,460 bytes).
    public static let packetTooLarge = Self(.packetTooLarge, "packet exceeds the maximum packet size")
    /// A string longer than 65,535 UTF-8 bytes.
    public static let stringTooLong = Self(.stringTooLong, "string longer than 65535 bytes")
    /// Binary data (password, will payload, correlation data) longer than 65,535 bytes.
    public static let binaryDataTooLong = Self(.binaryDataTooLong, "binary data longer than 65535 bytes")
    /// A QoS 1/2 PUBLISH, SUBSCRIBE or UNSUBSCRIBE without a non-zero packet identifier.
    public static let invalidPacketIdentifier = Self(.invalidPacketIdentifier, "packet identifier missing or 0")

    static func packetTooLarge(size: Int, maximum: Int) -> Self {
        Self(.packetTooLarge, "packet of \(size) bytes exceeds the maximum packet size of \(maximum) bytes")
    }

    static func stringTooLong(length: Int) -> Self {
        Self(.stringTooLong, "string of \(length) bytes is longer than 65535 bytes")
    }
}
