/// What discovery reports to the bridge.
public enum DeviceDiscoveryEvent: Sendable, Hashable {
    /// A matching device is present: found by the initial scan or plugged in later.
    case added(DiscoveredSerialDevice)
    /// A present device's description changed (e.g. udev finished its rules and added links or properties).
    case changed(DiscoveredSerialDevice)
    /// A device went away, or no longer matches any rule; carries the description it was last reported with.
    case removed(DiscoveredSerialDevice)
    /// The initial scan is complete: every device present at start has been reported with ``added(_:)``.
    case enumerationCompleted
}
