/// A udev property that must have a given value, such as `SNBRIDGE_DEVICE=1` set by `60-snbridge.rules`.
public struct UdevPropertyMatch: Sendable, Hashable, CustomStringConvertible {
    /// The property name.
    public var key: String
    /// The value the property must have, exactly.
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// Parses `KEY=VALUE`; the value may be empty and may itself contain `=`.
    public init(parsing text: String) throws(DeviceMatchRuleError) {
        let trimmed = text.trimmingSpaces
        guard let separator = trimmed.firstIndex(of: "="), separator != trimmed.startIndex else {
            throw .invalidUdevProperty(text)
        }
        self.init(key: String(trimmed[..<separator]), value: String(trimmed[trimmed.index(after: separator)...]))
    }

    public var description: String { "\(key)=\(value)" }
}
