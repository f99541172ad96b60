/// What a ``DeviceStateMachine`` transition asks the bridge to announce.
public enum DeviceStateAction: Hashable, Sendable {
    /// Publish the device's retained availability: `online` or `offline`.
    case publishAvailability(online: Bool)
    /// Publish an event on `<prefix>/events`.
    case publishEvent(DeviceEventKind, reason: String?)
    /// Republish the retained device list: something in it changed.
    case publishDeviceList
}
