extension DeviceMatchRule {
    /// Rules for the common USB-serial chips on hobby boards, tried after the user's rules. The same chips are
    /// listed in `udev/60-snbridge.rules`; keep the two in step.
    public static let builtInDefaults: [DeviceMatchRule] = [
        .builtIn("cp210x", ["10c4:ea60", "10c4:ea70"]),
        .builtIn("ch340", ["1a86:7523"]),
        .builtIn("ch9102", ["1a86:55d4"]),
        .builtIn("ftdi", ["0403:6001", "0403:6010", "0403:6014", "0403:6015"]),
        .builtIn("pl2303", ["067b:2303"]),
        // Espressif's own USB (ESP32-S2/S3/C3/C6 USB-Serial-JTAG and TinyUSB CDC) uses several product ids.
        .builtIn("esp32-usb", ["303a:1001", "303a:0002", "303a:1002", "303a:4001"]),
    ]

    private static func builtIn(_ name: String, _ ids: [String]) -> DeviceMatchRule {
        DeviceMatchRule(
            validatedName: name,
            criteria: DeviceMatchCriteria(usbIDs: ids.map(Self.knownGoodUSBID)),
            options: DeviceMatchOptions()
        )
    }

    private static func knownGoodUSBID(_ text: String) -> USBIDPattern {
        let parts = text.split(separator: ":")
        return USBIDPattern(vendorID: UInt16(parts[0], radix: 16)!, productID: UInt16(parts[1], radix: 16)!)
    }
}
