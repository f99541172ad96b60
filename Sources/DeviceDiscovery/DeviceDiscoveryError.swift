/// Why discovery could not start or stopped.
public struct DeviceDiscoveryError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable {
        case udevUnavailable(errno: Int32)
        case monitorUnavailable(errno: Int32)
        case monitorSetupFailed(step: String, errno: Int32)
        case enumerationFailed(errno: Int32)
        case wakeupPipeFailed(errno: Int32)
        case alreadyStarted
        case threadStartFailed(errno: Int32)
    }

    private let code: Code

    /// `udev_new` failed.
    static func udevUnavailable(errno: Int32) -> Self { Self(code: .udevUnavailable(errno: errno)) }
    /// The netlink udev monitor could not be created (no permission, or no netlink in this sandbox).
    static func monitorUnavailable(errno: Int32) -> Self { Self(code: .monitorUnavailable(errno: errno)) }
    /// Filtering or enabling the monitor failed.
    static func monitorSetupFailed(step: String, errno: Int32) -> Self {
        Self(code: .monitorSetupFailed(step: step, errno: errno))
    }
    /// Scanning the existing tty devices failed.
    static func enumerationFailed(errno: Int32) -> Self { Self(code: .enumerationFailed(errno: errno)) }
    /// The pipe that wakes the discovery thread for shutdown could not be created.
    static func wakeupPipeFailed(errno: Int32) -> Self { Self(code: .wakeupPipeFailed(errno: errno)) }
    /// ``SerialDeviceDiscovery/start()`` was called twice, or after ``SerialDeviceDiscovery/stop()``.
    public static let alreadyStarted = Self(code: .alreadyStarted)
    /// The discovery thread could not be created.
    static func threadStartFailed(errno: Int32) -> Self { Self(code: .threadStartFailed(errno: errno)) }

    public var description: String {
        switch code {
        case .udevUnavailable(let errno):
            "could not create a libudev context (errno \(errno))"
        case .monitorUnavailable(let errno):
            "could not open the udev netlink monitor (errno \(errno)); is /run/udev present and netlink allowed?"
        case .monitorSetupFailed(let step, let errno):
            "could not set up the udev monitor: \(step) failed (errno \(errno))"
        case .enumerationFailed(let errno):
            "could not scan the existing tty devices (errno \(errno))"
        case .wakeupPipeFailed(let errno):
            "could not create the discovery thread's wakeup pipe (errno \(errno))"
        case .alreadyStarted:
            "device discovery was already started; create a new SerialDeviceDiscovery to start again"
        case .threadStartFailed(let errno):
            "could not start the discovery thread (errno \(errno))"
        }
    }
}
