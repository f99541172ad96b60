/// Selects ttys for snbridge and says how to talk to them.
public struct DeviceMatchRule: Sendable, Hashable {
    /// A name for logs and status, e.g. `cp210x` or the name the configuration gives.
    public var name: String
    /// What the rule matches on.
    public var criteria: DeviceMatchCriteria
    /// How to talk to a device this rule matched.
    public var options: DeviceMatchOptions

    /// A rule from configuration; throws when it matches on nothing or its options are impossible.
    public init(
        name: String,
        criteria: DeviceMatchCriteria,
        options: DeviceMatchOptions = DeviceMatchOptions()
    ) throws(DeviceMatchRuleError) {
        guard !criteria.isEmpty else { throw .noCriteria(rule: name) }
        guard options.baudRate > 0 else { throw .invalidBaudRate(rule: name, options.baudRate) }
        self.init(validatedName: name, criteria: criteria, options: options)
    }

    /// For rules that are valid by construction (the built-in defaults).
    init(validatedName name: String, criteria: DeviceMatchCriteria, options: DeviceMatchOptions) {
        self.name = name
        self.criteria = criteria
        self.options = options
    }

    /// Whether the rule selects `device`.
    public func matches(_ device: DiscoveredSerialDevice) -> Bool {
        criteria.matches(device)
    }
}
