extension DeviceMatchRule {
    /// Rules for the common USB-serial chips on hobby boards and for the native-USB boards makers plug in most,
    /// tried after the user's rules. The same ids are listed in `udev/60-snbridge.rules`; keep the two in step.
    ///
    /// A vendor-wide rule (`2341:*`) takes every tty of that vendor's boards; `discovery.builtin_defaults: false`
    /// turns them all off where a board's port is meant for something else (a REPL, a serial monitor).
    public static let builtInDefaults: [DeviceMatchRule] = [
        .builtIn("cp210x", vendor: 0x10c4, products: [0xea60, 0xea70]),
        .builtIn("ch340", vendor: 0x1a86, products: [0x7523]),
        .builtIn("ch9102", vendor: 0x1a86, products: [0x55d4]),
        .builtIn("ftdi", vendor: 0x0403, products: [0x6001, 0x6010, 0x6014, 0x6015]),
        .builtIn("pl2303", vendor: 0x067b, products: [0x2303]),
        // Espressif's own USB (ESP32-S2/S3/C3/C6 USB-Serial-JTAG and TinyUSB CDC) uses several product ids.
        .builtIn("esp32-usb", vendor: 0x303a, products: [0x1001, 0x0002, 0x1002, 0x4001]),
        // Native USB CDC boards, by vendor: genuine Arduino (Arduino LLC and Arduino SRL), Raspberry Pi RP2040 and
        // RP2350 (Pico, Pico 2, the Debug Probe's UART), STMicroelectronics' virtual COM port, Adafruit, SparkFun
        // and Seeed Studio.
        .builtIn("arduino", vendors: [0x2341, 0x2a03]),
        .builtIn("rp2040", vendors: [0x2e8a]),
        .builtIn("stm32-vcp", vendor: 0x0483, products: [0x5740]),
        .builtIn("adafruit", vendors: [0x239a]),
        .builtIn("sparkfun", vendors: [0x1b4f]),
        .builtIn("seeed", vendors: [0x2886]),
    ]

    private static func builtIn(_ name: String, vendor: UInt16, products: [UInt16]) -> DeviceMatchRule {
        builtIn(name, patterns: products.map { USBIDPattern(vendorID: vendor, productID: $0) })
    }

    /// A rule for every product of these vendors.
    private static func builtIn(_ name: String, vendors: [UInt16]) -> DeviceMatchRule {
        builtIn(name, patterns: vendors.map { USBIDPattern(vendorID: $0, productID: nil) })
    }

    private static func builtIn(_ name: String, patterns: [USBIDPattern]) -> DeviceMatchRule {
        DeviceMatchRule(
            validatedName: name,
            criteria: DeviceMatchCriteria(usbIDs: patterns),
            options: DeviceMatchOptions()
        )
    }
}
