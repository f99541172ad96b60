/// What a RESET frame asks of the device.
public struct LinkResetMode: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Drop the link state and send HELLO again; MQTT-SN state is kept.
    public static let rehello = LinkResetMode(rawValue: 0x00)
    /// Restart the device (or behave as ``rehello`` if it cannot).
    public static let reboot = LinkResetMode(rawValue: 0x01)
}
