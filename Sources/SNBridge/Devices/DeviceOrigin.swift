/// How the bridge came to know a device.
public enum DeviceOrigin: String, Hashable, Sendable, Codable {
    /// Listed in `serial.ports`.
    case configured
    /// Found by udev discovery through a match rule.
    case discovered
    /// An MQTT-SN client over UDP, listed from its session; its `path` is its address.
    case udp
}
