/// How the bridge came to know a device.
public enum DeviceOrigin: String, Hashable, Sendable, Codable {
    /// Listed in `serial.ports`.
    case configured
    /// Found by udev discovery through a match rule.
    case discovered
}
