/// One event from the udev monitor: what happened, and the device as the event describes it.
public struct UdevDeviceEvent: Sendable, Hashable {
    /// The kernel's action.
    public var action: UdevAction
    /// The device; for ``UdevAction/remove`` sysfs is already gone, so only the event's properties are filled in.
    public var device: UdevDeviceSnapshot

    public init(action: UdevAction, device: UdevDeviceSnapshot) {
        self.action = action
        self.device = device
    }
}
