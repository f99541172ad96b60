/// One thing the device registry asks the status publisher to put on the broker.
public enum StatusPublication: Hashable, Sendable {
    /// `<prefix>/devices/<id>/availability`, retained.
    case availability(deviceID: String, online: Bool)
    /// `<prefix>/events`, not retained.
    case event(DeviceEventMessage)
    /// `<prefix>/devices`, retained.
    case deviceList([DeviceRecord])
    /// The device was forgotten: its retained topics (and Home Assistant configs) are cleared.
    case forgotten(deviceID: String)
    /// `<prefix>/devices/<id>/console`, not retained (only with `status.console_to_mqtt`).
    case console(deviceID: String, line: String)
}
