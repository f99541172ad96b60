import DeviceDiscovery
import Testing

@Suite("Parsing match rule pieces from configuration text")
struct MatchRuleParsingTests {
    @Test(arguments: [
        ("10c4:ea60", USBIDPattern(vendorID: 0x10c4, productID: 0xea60)),
        ("10C4:EA60", USBIDPattern(vendorID: 0x10c4, productID: 0xea60)),
        (" 303a:* ", USBIDPattern(vendorID: 0x303a, productID: nil)),
        ("0403:6001", USBIDPattern(vendorID: 0x0403, productID: 0x6001)),
    ])
    func validUSBID(text: String, expected: USBIDPattern) throws {
        #expect(try USBIDPattern(parsing: text) == expected)
    }

    @Test(arguments: [
        "10c4", "10c4:", ":ea60", "10c4:ea60:1", "10c4-ea60", "xyz1:ea60", "10c4:ea600", "c4:ea60", "*:ea60",
    ])
    func invalidUSBID(text: String) {
        #expect(throws: DeviceMatchRuleError.invalidUSBID(text)) {
            try USBIDPattern(parsing: text)
        }
    }

    @Test(arguments: [
        (USBIDPattern(vendorID: 0x0403, productID: 0x6001), "0403:6001"),
        (USBIDPattern(vendorID: 0x303a, productID: nil), "303a:*"),
    ])
    func usbIDDescription(pattern: USBIDPattern, expected: String) {
        #expect(pattern.description == expected)
    }

    @Test(arguments: [
        ("SNBRIDGE_DEVICE=1", UdevPropertyMatch(key: "SNBRIDGE_DEVICE", value: "1")),
        ("ID_MODEL=CP2102=x", UdevPropertyMatch(key: "ID_MODEL", value: "CP2102=x")),
        ("ID_SERIAL_SHORT=", UdevPropertyMatch(key: "ID_SERIAL_SHORT", value: "")),
    ])
    func validProperty(text: String, expected: UdevPropertyMatch) throws {
        #expect(try UdevPropertyMatch(parsing: text) == expected)
    }

    @Test(arguments: ["SNBRIDGE_DEVICE", "=1", ""])
    func invalidProperty(text: String) {
        #expect(throws: DeviceMatchRuleError.invalidUdevProperty(text)) {
            try UdevPropertyMatch(parsing: text)
        }
    }

    @Test(arguments: [("snbridge", DeviceFraming.snbridge), ("raw", .raw)])
    func framing(text: String, expected: DeviceFraming) {
        #expect(DeviceFraming(rawValue: text) == expected)
    }

    @Test(arguments: [("never", DeviceResetPolicy.never), ("on-open", .onOpen), ("on-link-loss", .onLinkLoss)])
    func resetPolicy(text: String, expected: DeviceResetPolicy) {
        #expect(DeviceResetPolicy(rawValue: text) == expected)
    }
}
