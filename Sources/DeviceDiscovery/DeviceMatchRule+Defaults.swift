extension DeviceMatchRule {
    /// Rules for the common USB-serial chips on hobby boards, tried after the user's rules. The same chips are
    /// listed in `udev/60-snbridge.rules`; keep the two in step.
    public static let builtInDefaults: [DeviceMatchRule] = [
        .builtIn("cp210x", vendor: 0x10c4, products: [0xea60, 0xea70]),
        .builtIn("ch340", vendor: 0x1a86, products: [0x7523]),
        .builtIn("ch9102", vendor: 0x1a86, products: [0x55d4]),
        .builtIn("ftdi", vendor: 0x0403, products: [0x6001, 0x6010, 0x6014, 0x6015]),
        .builtIn("pl2303", vendor: 0x067b, products: [0x2303]),
        // Espressif's own USB (ESP32-S2/S3/C3/C6 USB-Serial-JTAG and TinyUSB CDC) uses several product ids.
        .builtIn("esp32-usb", vendor: 0x303a, products: [0x1001, 0x0002, 0x1002, 0x4001]),
    ]

    private static func builtIn(_ name: String, vendor: UInt16, products: [UInt16]) -> DeviceMatchRule {
        DeviceMatchRule(
            validatedName: name,
            criteria: DeviceMatchCriteria(usbIDs: products.map { USBIDPattern(vendorID: vendor, productID: $0) }),
            options: DeviceMatchOptions()
        )
    }
}
