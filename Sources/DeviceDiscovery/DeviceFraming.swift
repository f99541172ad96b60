/// How the bytes on a matched tty are framed.
public enum DeviceFraming: String, Sendable, Hashable, CaseIterable {
    /// The snbridge serial protocol (Firmware-Protocol/PROTOCOL.md).
    case snbridge
    /// Raw MQTT-SN packets with their own length field and no framing, for firmware without our library.
    case raw
}
