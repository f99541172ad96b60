/// What `<prefix>/events` reports about a device.
public enum DeviceEventKind: String, Hashable, Sendable, Codable {
    /// The device's link came up: it is online.
    case joined
    /// An online device went away (unplugged, removed, link silent).
    case left
    /// The device's tty could not be opened or used.
    case error
}
