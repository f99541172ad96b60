/// A USB-serial (or other) tty that discovery found, described by what stays true about it across replugs.
///
/// The tty name (`ttyUSB0`) is only in ``devnode`` and ``syspath``; it changes when boards are replugged in another
/// order, so nothing that must survive a replug (see ``identity``) is derived from it.
public struct DiscoveredSerialDevice: Sendable, Hashable {
    /// The sysfs path; discovery's key for add/remove bookkeeping while the device stays plugged in.
    public var syspath: String
    /// The device node to open, e.g. `/dev/ttyUSB0`.
    public var devnode: String
    /// The USB vendor id (`idVendor`), when the tty sits on a USB device.
    public var vendorID: UInt16?
    /// The USB product id (`idProduct`).
    public var productID: UInt16?
    /// The USB serial number string, when the chip has one (many CH340 boards do not).
    public var serialNumber: String?
    /// The USB manufacturer string.
    public var manufacturer: String?
    /// The USB product string.
    public var product: String?
    /// The USB interface number (`bInterfaceNumber`), which tells the ports of a multi-port adapter apart.
    public var interfaceNumber: Int?
    /// udev's `ID_PATH`: the physical path (controller, hub ports, interface) the device is plugged into.
    public var idPath: String?
    /// The `/dev/serial/by-path/...` link, when udev made one.
    public var byPath: String?
    /// The `/dev/serial/by-id/...` links, sorted.
    public var byID: [String]
    /// The udev properties rules can match on: `ID_*`, `SNBRIDGE_*`, `TAGS`, `CURRENT_TAGS`, `DEVNAME`, `DRIVER`,
    /// `SUBSYSTEM`, `MAJOR` and `MINOR`. Per-event bookkeeping such as `SEQNUM` is left out so that the same device
    /// compares equal across events.
    public var properties: [String: String]
    /// The rule that selected this device for snbridge; `nil` until a ``DeviceMatcher`` has matched it.
    public var matchedRule: DeviceMatchRule?

    public init(
        syspath: String,
        devnode: String,
        vendorID: UInt16? = nil,
        productID: UInt16? = nil,
        serialNumber: String? = nil,
        manufacturer: String? = nil,
        product: String? = nil,
        interfaceNumber: Int? = nil,
        idPath: String? = nil,
        byPath: String? = nil,
        byID: [String] = [],
        properties: [String: String] = [:],
        matchedRule: DeviceMatchRule? = nil
    ) {
        self.syspath = syspath
        self.devnode = devnode
        self.vendorID = vendorID
        self.productID = productID
        self.serialNumber = serialNumber
        self.manufacturer = manufacturer
        self.product = product
        self.interfaceNumber = interfaceNumber
        self.idPath = idPath
        self.byPath = byPath
        self.byID = byID
        self.properties = properties
        self.matchedRule = matchedRule
    }

    /// The identity that survives replugs; see ``DeviceIdentity``.
    public var identity: DeviceIdentity {
        DeviceIdentity(device: self)
    }
}
