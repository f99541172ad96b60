extension DiscoveredSerialDevice {
    /// The property names kept in ``properties``, besides every `ID_*` and `SNBRIDGE_*` property.
    static let keptPropertyNames: Set<String> = [
        "TAGS", "CURRENT_TAGS", "DEVNAME", "DRIVER", "SUBSYSTEM", "MAJOR", "MINOR",
    ]

    /// Reads a device out of what libudev reported; `nil` for a tty without a device node (nothing to open).
    ///
    /// Sysfs attributes of the USB parents come first because they are the chip's own words; the `ID_*` properties
    /// udev's builtins derive from the same descriptors are the fallback, e.g. for a remove event, when sysfs is
    /// already gone.
    public init?(snapshot: UdevDeviceSnapshot) {
        let properties = snapshot.properties
        guard let devnode = snapshot.devnode ?? properties["DEVNAME"], !devnode.isEmpty else {
            return nil
        }
        let usb = snapshot.usbDeviceAttributes
        let links = (properties["DEVLINKS"] ?? "").split(separator: " ").map(String.init)

        self.init(
            syspath: snapshot.syspath,
            devnode: devnode,
            vendorID: Self.hexadecimal(usb["idVendor"] ?? properties["ID_USB_VENDOR_ID"] ?? properties["ID_VENDOR_ID"]),
            productID: Self.hexadecimal(usb["idProduct"] ?? properties["ID_USB_MODEL_ID"] ?? properties["ID_MODEL_ID"]),
            serialNumber: Self.nonEmpty(
                usb["serial"] ?? properties["ID_USB_SERIAL_SHORT"] ?? properties["ID_SERIAL_SHORT"]
            ),
            manufacturer: Self.nonEmpty(usb["manufacturer"] ?? properties["ID_USB_VENDOR"] ?? properties["ID_VENDOR"]),
            product: Self.nonEmpty(usb["product"] ?? properties["ID_USB_MODEL"] ?? properties["ID_MODEL"]),
            interfaceNumber: Self.hexadecimal(
                snapshot.usbInterfaceAttributes["bInterfaceNumber"]
                    ?? properties["ID_USB_INTERFACE_NUM"]
            ).map(Int.init),
            idPath: Self.nonEmpty(properties["ID_PATH"]),
            byPath: links.first { $0.hasPrefix("/dev/serial/by-path/") },
            byID: links.filter { $0.hasPrefix("/dev/serial/by-id/") }.sorted(),
            properties: properties.filter { key, _ in
                key.hasPrefix("ID_") || key.hasPrefix("SNBRIDGE_") || Self.keptPropertyNames.contains(key)
            }
        )
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let trimmed = value?.trimmingSpaces, !trimmed.isEmpty else { return nil }
        return trimmed
    }

    private static func hexadecimal(_ value: String?) -> UInt16? {
        guard let text = nonEmpty(value) else { return nil }
        return UInt16(text, radix: 16)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines (sysfs attributes end in a newline).
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = self.firstIndex(where: { !isSpace($0) }),
            let last = self.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[first...last])
    }
}
