import CLibudev

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// libudev's view of the tty subsystem: a netlink monitor and a scan of what is already there.
///
/// Create it, then ``enumerateDevices()``, then call ``receiveEvents()`` whenever ``fileDescriptor`` is readable.
/// The monitor exists before the scan, so a device plugged in during the scan is reported by the scan, by a queued
/// event, or both, never by neither; ``DeviceDiscoveryStateMachine`` removes the duplicates.
///
/// Not thread-safe (neither is a libudev context): use one instance from one thread at a time.
public final class UdevSerialMonitor {
    private let udev: OpaquePointer
    private let monitor: OpaquePointer
    /// The subsystem followed, `tty`.
    public let subsystem: String

    /// Creates the monitor on udev's netlink group (events after udev's rules ran, so properties and links are
    /// complete), filtered to `subsystem`, and starts receiving.
    public init(subsystem: String = "tty") throws(DeviceDiscoveryError) {
        guard let udev = udev_new() else { throw .udevUnavailable(errno: errno) }
        guard let monitor = udev_monitor_new_from_netlink(udev, "udev") else {
            let code = errno
            udev_unref(udev)
            throw .monitorUnavailable(errno: code)
        }
        var result = udev_monitor_filter_add_match_subsystem_devtype(monitor, subsystem, nil)
        if result < 0 {
            udev_monitor_unref(monitor)
            udev_unref(udev)
            throw .monitorSetupFailed(step: "udev_monitor_filter_add_match_subsystem_devtype", errno: -result)
        }
        result = udev_monitor_enable_receiving(monitor)
        if result < 0 {
            udev_monitor_unref(monitor)
            udev_unref(udev)
            throw .monitorSetupFailed(step: "udev_monitor_enable_receiving", errno: -result)
        }
        self.udev = udev
        self.monitor = monitor
        self.subsystem = subsystem
    }

    deinit {
        udev_monitor_unref(monitor)
        udev_unref(udev)
    }

    /// The monitor socket; readable when ``receiveEvents()`` has something to return. It is non-blocking.
    public var fileDescriptor: CInt {
        udev_monitor_get_fd(monitor)
    }

    /// Every device of the subsystem present now.
    public func enumerateDevices() throws(DeviceDiscoveryError) -> [UdevDeviceSnapshot] {
        guard let enumerate = udev_enumerate_new(udev) else { throw .enumerationFailed(errno: errno) }
        defer { udev_enumerate_unref(enumerate) }
        var result = udev_enumerate_add_match_subsystem(enumerate, subsystem)
        if result >= 0 { result = udev_enumerate_scan_devices(enumerate) }
        if result < 0 { throw .enumerationFailed(errno: -result) }

        var snapshots: [UdevDeviceSnapshot] = []
        var entry = udev_enumerate_get_list_entry(enumerate)
        while let current = entry {
            defer { entry = udev_list_entry_get_next(current) }
            guard let syspath = udev_list_entry_get_name(current),
                let device = udev_device_new_from_syspath(udev, syspath)
            else {
                // Gone between the scan and now; its remove event is in the monitor.
                continue
            }
            snapshots.append(Self.snapshot(of: device))
            udev_device_unref(device)
        }
        return snapshots
    }

    /// Drains the events waiting on the monitor without blocking; empty when there are none.
    public func receiveEvents() -> [UdevDeviceEvent] {
        var events: [UdevDeviceEvent] = []
        while let device = udev_monitor_receive_device(monitor) {
            let action = udev_device_get_action(device).map { UdevAction(String(cString: $0)) } ?? .other("")
            events.append(UdevDeviceEvent(action: action, device: Self.snapshot(of: device)))
            udev_device_unref(device)
        }
        return events
    }

    /// Copies what discovery needs out of a libudev device.
    static func snapshot(of device: OpaquePointer) -> UdevDeviceSnapshot {
        var properties: [String: String] = [:]
        var entry = udev_device_get_properties_list_entry(device)
        while let current = entry {
            if let name = udev_list_entry_get_name(current) {
                properties[String(cString: name)] = udev_list_entry_get_value(current).map { String(cString: $0) } ?? ""
            }
            entry = udev_list_entry_get_next(current)
        }
        // Parents belong to the child device and are freed with it.
        let usbDevice = udev_device_get_parent_with_subsystem_devtype(device, "usb", "usb_device")
        let usbInterface = udev_device_get_parent_with_subsystem_devtype(device, "usb", "usb_interface")
        return UdevDeviceSnapshot(
            syspath: udev_device_get_syspath(device).map { String(cString: $0) } ?? "",
            devnode: udev_device_get_devnode(device).map { String(cString: $0) },
            properties: properties,
            usbDeviceAttributes: attributes(
                ["idVendor", "idProduct", "serial", "manufacturer", "product"],
                of: usbDevice
            ),
            usbInterfaceAttributes: attributes(["bInterfaceNumber"], of: usbInterface)
        )
    }

    private static func attributes(_ names: [String], of device: OpaquePointer?) -> [String: String] {
        guard let device else { return [:] }
        var values: [String: String] = [:]
        for name in names {
            if let value = udev_device_get_sysattr_value(device, name) {
                values[name] = String(cString: value).trimmingSpaces
            }
        }
        return values
    }
}
