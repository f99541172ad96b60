/// Picks the rule for a device: the first matching rule wins, the user's rules before the built-in defaults.
public struct DeviceMatcher: Sendable, Hashable {
    /// The user's rules, in configuration order.
    public var rules: [DeviceMatchRule]
    /// Whether ``DeviceMatchRule/builtInDefaults`` are tried after ``rules``.
    public var includesBuiltInDefaults: Bool

    public init(rules: [DeviceMatchRule] = [], includesBuiltInDefaults: Bool = true) {
        self.rules = rules
        self.includesBuiltInDefaults = includesBuiltInDefaults
    }

    /// The rules in the order they are tried.
    public var effectiveRules: [DeviceMatchRule] {
        includesBuiltInDefaults ? rules + DeviceMatchRule.builtInDefaults : rules
    }

    /// The first rule that selects `device`, or `nil` when snbridge should leave it alone.
    public func firstMatch(for device: DiscoveredSerialDevice) -> DeviceMatchRule? {
        effectiveRules.first { $0.matches(device) }
    }

    /// `device` with ``DiscoveredSerialDevice/matchedRule`` set, or `nil` when no rule selects it.
    public func match(_ device: DiscoveredSerialDevice) -> DiscoveredSerialDevice? {
        guard let rule = firstMatch(for: device) else { return nil }
        var matched = device
        matched.matchedRule = rule
        return matched
    }
}
