import DeviceDiscovery

extension DeviceDescriptor {
    /// A discovered device: its udev identity (stable across replugs), tty, USB ids and matching rule.
    init(discovered device: DiscoveredSerialDevice) {
        var usbID: String?
        if let vendorID = device.vendorID, let productID = device.productID {
            usbID = USBIDPattern(vendorID: vendorID, productID: productID).description
        }
        self.init(
            id: device.identity.rawValue,
            path: device.devnode,
            usbID: usbID,
            rule: device.matchedRule?.name,
            origin: .discovered,
            manufacturer: device.manufacturer,
            product: device.product
        )
    }
}
