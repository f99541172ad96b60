import DeviceDiscovery

/// How `snbridge run` finds USB-serial boards through udev (`discovery.*`).
///
/// Matched ttys are opened like `serial.ports`, closed when udev says they went away and opened again when they
/// come back, so a board appears on the broker when it is plugged in and survives replugs and resets.
public struct DiscoverySettings: Sendable, Hashable {
    /// `discovery.enabled`: `nil` (the default) means "on when libudev is usable": a machine without udev logs it
    /// once and runs without discovery; an explicit `true` logs the same failure as an error but still runs.
    public var enabled: Bool?
    /// `discovery.builtin_defaults`: whether the common USB-serial chips (CP210x, CH340, FTDI, ...) match after
    /// the user's rules. Defaults to true.
    public var builtInDefaults: Bool
    /// `discovery.match`: the user's rules, tried in order before the built-in ones.
    public var rules: [DeviceMatchRule]

    public init(enabled: Bool? = nil, builtInDefaults: Bool = true, rules: [DeviceMatchRule] = []) {
        self.enabled = enabled
        self.builtInDefaults = builtInDefaults
        self.rules = rules
    }

    /// The matcher these settings describe.
    public var matcher: DeviceMatcher {
        DeviceMatcher(rules: rules, includesBuiltInDefaults: builtInDefaults)
    }
}
