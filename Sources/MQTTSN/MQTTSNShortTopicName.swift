/// A short topic name: exactly two octets carried in place of a topic id (topic id type `0b10`).
///
/// The specification calls them "two characters"; in practice they are two ASCII characters such as `"tt"`. The
/// value keeps the two octets as they were sent (first octet in the high byte), so any two octets decode and
/// re-encode unchanged, whether or not they are printable.
public struct MQTTSNShortTopicName: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The two octets, first one in the high byte, exactly as on the wire.
    public var rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// A short topic name from a string whose UTF-8 form is exactly two octets, e.g. `"tt"`; `nil` otherwise.
    public init?(_ name: String) {
        var utf8 = name.utf8.makeIterator()
        guard let first = utf8.next(), let second = utf8.next(), utf8.next() == nil else {
            return nil
        }
        self.rawValue = UInt16(first) << 8 | UInt16(second)
    }

    /// The topic name as a string, or `nil` when the two octets are not valid UTF-8.
    public var name: String? {
        let octets = [UInt8(truncatingIfNeeded: self.rawValue >> 8), UInt8(truncatingIfNeeded: self.rawValue)]
        // Decoding repairs invalid input with U+FFFD, so an exact round trip is what proves validity.
        let name = String(decoding: octets, as: UTF8.self)
        return name.utf8.elementsEqual(octets) ? name : nil
    }

    public var description: String {
        self.name ?? "0x\(String(self.rawValue, radix: 16, uppercase: true))"
    }
}
