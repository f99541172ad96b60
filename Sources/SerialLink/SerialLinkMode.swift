/// What the device speaks on the line.
public enum SerialLinkMode: String, Hashable, Sendable {
    /// The snbridge serial link protocol (Firmware-Protocol/PROTOCOL.md).
    case framed
    /// Compatibility: raw MQTT-SN with its own length field, as older serial MQTT-SN bridges do.
    case rawMQTTSN
}
