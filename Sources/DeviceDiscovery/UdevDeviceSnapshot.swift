/// What libudev told us about one tty device, copied out of libudev's objects.
///
/// Everything discovery decides is computed from this plain value, so the decisions can be table-tested with
/// property sets captured from real devices, without libudev or a test bed.
public struct UdevDeviceSnapshot: Sendable, Hashable {
    /// The sysfs path, e.g. `/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/ttyUSB0/tty/ttyUSB0`.
    public var syspath: String
    /// The device node, e.g. `/dev/ttyUSB0`, when the device has one.
    public var devnode: String?
    /// The udev properties (`udevadm info --query=property`).
    public var properties: [String: String]
    /// The sysfs attributes of the `usb_device` parent that discovery reads (`idVendor`, `idProduct`, `serial`,
    /// `manufacturer`, `product`); empty for a tty without a USB parent.
    public var usbDeviceAttributes: [String: String]
    /// The sysfs attributes of the `usb_interface` parent that discovery reads (`bInterfaceNumber`).
    public var usbInterfaceAttributes: [String: String]

    public init(
        syspath: String,
        devnode: String?,
        properties: [String: String] = [:],
        usbDeviceAttributes: [String: String] = [:],
        usbInterfaceAttributes: [String: String] = [:]
    ) {
        self.syspath = syspath
        self.devnode = devnode
        self.properties = properties
        self.usbDeviceAttributes = usbDeviceAttributes
        self.usbInterfaceAttributes = usbInterfaceAttributes
    }
}
