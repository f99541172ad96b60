import DeviceDiscovery
import Foundation
import Testing

@Suite("Match rules")
struct DeviceMatcherTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var matcher: DeviceMatcher
        var snapshot: UdevDeviceSnapshot
        /// The name of the rule that must win, or `nil` when the device must be left alone.
        var expectedRule: String?
        var testDescription: String { name }
    }

    private static func rule(_ name: String, _ criteria: DeviceMatchCriteria) -> DeviceMatchRule {
        try! DeviceMatchRule(name: name, criteria: criteria)
    }

    private static func usbID(_ text: String) -> USBIDPattern {
        try! USBIDPattern(parsing: text)
    }

    static let cases: [Case] = [
        Case(
            name: "CP2102 by default",
            matcher: DeviceMatcher(),
            snapshot: CapturedSnapshots.cp2102,
            expectedRule: "cp210x"
        ),
        Case(
            name: "CH340 by default",
            matcher: DeviceMatcher(),
            snapshot: CapturedSnapshots.ch340,
            expectedRule: "ch340"
        ),
        Case(
            name: "FT2232 by default",
            matcher: DeviceMatcher(),
            snapshot: CapturedSnapshots.ft2232PortB,
            expectedRule: "ftdi"
        ),
        Case(
            name: "ESP32-S3 by default",
            matcher: DeviceMatcher(),
            snapshot: CapturedSnapshots.esp32S3,
            expectedRule: "esp32-usb"
        ),
        Case(
            name: "built-in UART is left alone",
            matcher: DeviceMatcher(),
            snapshot: CapturedSnapshots.builtInUART,
            expectedRule: nil
        ),
        Case(
            name: "defaults turned off",
            matcher: DeviceMatcher(includesBuiltInDefaults: false),
            snapshot: CapturedSnapshots.cp2102,
            expectedRule: nil
        ),
        Case(
            name: "user rule before defaults",
            matcher: DeviceMatcher(rules: [rule("weather-station", DeviceMatchCriteria(serialNumber: "0001A2B3"))]),
            snapshot: CapturedSnapshots.cp2102,
            expectedRule: "weather-station"
        ),
        Case(
            name: "first matching user rule wins",
            matcher: DeviceMatcher(rules: [
                rule("any-silabs", DeviceMatchCriteria(usbIDs: [usbID("10c4:*")])),
                rule("this-board", DeviceMatchCriteria(serialNumber: "0001A2B3")),
            ]),
            snapshot: CapturedSnapshots.cp2102,
            expectedRule: "any-silabs"
        ),
        Case(
            name: "a non-matching user rule falls through to the defaults",
            matcher: DeviceMatcher(rules: [rule("other-board", DeviceMatchCriteria(serialNumber: "FFFF"))]),
            snapshot: CapturedSnapshots.cp2102,
            expectedRule: "cp210x"
        ),
        Case(
            name: "vendor wildcard",
            matcher: DeviceMatcher(
                rules: [rule("espressif", DeviceMatchCriteria(usbIDs: [usbID("303a:*")]))],
                includesBuiltInDefaults: false
            ),
            snapshot: CapturedSnapshots.esp32S3,
            expectedRule: "espressif"
        ),
        Case(
            name: "product id must match when given",
            matcher: DeviceMatcher(
                rules: [rule("cp2105", DeviceMatchCriteria(usbIDs: [usbID("10c4:ea70")]))],
                includesBuiltInDefaults: false
            ),
            snapshot: CapturedSnapshots.cp2102,
            expectedRule: nil
        ),
        Case(
            name: "by-id glob on the link name",
            matcher: DeviceMatcher(
                rules: [rule("silabs-link", DeviceMatchCriteria(byIDGlob: "usb-Silicon_Labs_*"))],
                includesBuiltInDefaults: false
            ),
            snapshot: CapturedSnapshots.cp2102,
            expectedRule: "silabs-link"
        ),
        Case(
            name: "by-id glob on the full path",
            matcher: DeviceMatcher(
                rules: [rule("ftdi-b", DeviceMatchCriteria(byIDGlob: "/dev/serial/by-id/*-if01-port0"))],
                includesBuiltInDefaults: false
            ),
            snapshot: CapturedSnapshots.ft2232PortB,
            expectedRule: "ftdi-b"
        ),
        Case(
            name: "by-id glob cannot match a device without by-id links",
            matcher: DeviceMatcher(
                rules: [rule("anything", DeviceMatchCriteria(byIDGlob: "*"))],
                includesBuiltInDefaults: false
            ),
            snapshot: CapturedSnapshots.ch340,
            expectedRule: nil
        ),
        Case(
            name: "by-path glob selects a hub port",
            matcher: DeviceMatcher(
                rules: [rule("port-3", DeviceMatchCriteria(byPathGlob: "*-usb-0:3:1.0-port0"))],
                includesBuiltInDefaults: false
            ),
            snapshot: CapturedSnapshots.ch340,
            expectedRule: "port-3"
        ),
        Case(
            name: "by-path glob for another port",
            matcher: DeviceMatcher(
                rules: [rule("port-3", DeviceMatchCriteria(byPathGlob: "*-usb-0:3:1.0-port0"))],
                includesBuiltInDefaults: false
            ),
            snapshot: CapturedSnapshots.cp2102,
            expectedRule: nil
        ),
        Case(
            name: "udev property set by our rules file",
            matcher: DeviceMatcher(
                rules: [
                    rule(
                        "tagged",
                        DeviceMatchCriteria(udevProperty: UdevPropertyMatch(key: "SNBRIDGE_DEVICE", value: "1"))
                    )
                ],
                includesBuiltInDefaults: false
            ),
            snapshot: CapturedSnapshots.cp2102,
            expectedRule: "tagged"
        ),
        Case(
            name: "udev property absent",
            matcher: DeviceMatcher(
                rules: [
                    rule(
                        "tagged",
                        DeviceMatchCriteria(udevProperty: UdevPropertyMatch(key: "SNBRIDGE_DEVICE", value: "1"))
                    )
                ],
                includesBuiltInDefaults: false
            ),
            snapshot: CapturedSnapshots.ch340,
            expectedRule: nil
        ),
        Case(
            name: "all criteria of a rule must match",
            matcher: DeviceMatcher(
                rules: [
                    rule("ch340-with-serial", DeviceMatchCriteria(usbIDs: [usbID("1a86:7523")], serialNumber: "1234"))
                ],
                includesBuiltInDefaults: false
            ),
            snapshot: CapturedSnapshots.ch340,
            expectedRule: nil
        ),
    ]

    @Test(arguments: cases)
    func firstMatch(_ testCase: Case) throws {
        let device = try #require(DiscoveredSerialDevice(snapshot: testCase.snapshot))
        #expect(testCase.matcher.firstMatch(for: device)?.name == testCase.expectedRule)
        #expect(testCase.matcher.match(device)?.matchedRule?.name == testCase.expectedRule)
    }

    @Test("the options of the winning rule come with the device")
    func optionsTravelWithTheDevice() throws {
        let options = DeviceMatchOptions(
            baudRate: 921_600,
            framing: .raw,
            resetPolicy: .onLinkLoss,
            clientIDPrefix: "lab-"
        )
        let matcher = DeviceMatcher(rules: [
            try DeviceMatchRule(name: "fast", criteria: DeviceMatchCriteria(serialNumber: "0001A2B3"), options: options)
        ])
        let device = try #require(DiscoveredSerialDevice(snapshot: CapturedSnapshots.cp2102))
        #expect(matcher.match(device)?.matchedRule?.options == options)
    }

    @Test(
        "every built-in chip is matched by its USB id",
        arguments: [
            ("10c4:ea60", "cp210x"), ("10c4:ea70", "cp210x"), ("1a86:7523", "ch340"), ("1a86:55d4", "ch9102"),
            ("0403:6001", "ftdi"), ("0403:6010", "ftdi"), ("0403:6014", "ftdi"), ("0403:6015", "ftdi"),
            ("067b:2303", "pl2303"), ("303a:1001", "esp32-usb"), ("303a:0002", "esp32-usb"), ("303a:1002", "esp32-usb"),
            ("2341:0043", "arduino"), ("2341:8057", "arduino"), ("2a03:0043", "arduino"), ("2e8a:000a", "rp2040"),
            ("2e8a:0009", "rp2040"), ("2e8a:000c", "rp2040"), ("0483:5740", "stm32-vcp"), ("239a:80f4", "adafruit"),
            ("1b4f:9206", "sparkfun"), ("2886:802f", "seeed"),
        ]
    )
    func builtInDefaults(usbID text: String, rule: String) throws {
        let id = try USBIDPattern(parsing: text)
        let device = DiscoveredSerialDevice(
            syspath: "/sys/x/tty/ttyUSB0",
            devnode: "/dev/ttyUSB0",
            vendorID: id.vendorID,
            productID: id.productID
        )
        #expect(DeviceMatcher().firstMatch(for: device)?.name == rule)
    }

    @Test(
        "other products of a vendor with a one-product rule are not taken",
        arguments: [
            "0483:3748", "0483:374b", "10c4:8a2a", "1a86:5523", "303a:8000",
        ]
    )
    func neighbouringProductsAreNotMatched(usbID text: String) throws {
        let id = try USBIDPattern(parsing: text)
        let device = DiscoveredSerialDevice(
            syspath: "/sys/x/tty/ttyACM0",
            devnode: "/dev/ttyACM0",
            vendorID: id.vendorID,
            productID: id.productID
        )
        #expect(DeviceMatcher().firstMatch(for: device) == nil)
    }

    @Test("udev/60-snbridge.rules tags exactly the USB ids the built-in rules match")
    func udevRulesListTheBuiltInIDs() throws {
        let rulesFile = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("udev/60-snbridge.rules")
        var tagged: Set<String> = []
        for line in try String(contentsOf: rulesFile, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#")
        {
            guard let vendors = Self.quotedValue(of: "ATTRS{idVendor}==", in: line) else { continue }
            let products = Self.quotedValue(of: "ATTRS{idProduct}==", in: line) ?? ["*"]
            for vendor in vendors {
                for product in products { tagged.insert("\(vendor):\(product)") }
            }
        }
        let builtIn = Set(DeviceMatchRule.builtInDefaults.flatMap { $0.criteria.usbIDs.map(\.description) })
        #expect(tagged == builtIn)
    }

    /// The alternatives of `key"a|b"` in a udev rule line.
    private static func quotedValue(of key: String, in line: Substring) -> [String]? {
        guard let start = line.range(of: key + "\"")?.upperBound, let end = line[start...].firstIndex(of: "\"") else {
            return nil
        }
        return line[start..<end].split(separator: "|").map(String.init)
    }

    @Test("a rule without criteria is refused")
    func emptyRule() {
        #expect(throws: DeviceMatchRuleError.noCriteria(rule: "everything")) {
            try DeviceMatchRule(name: "everything", criteria: DeviceMatchCriteria())
        }
    }

    @Test("a rule with a non-positive baud rate is refused")
    func invalidBaudRate() {
        #expect(throws: DeviceMatchRuleError.invalidBaudRate(rule: "slow", 0)) {
            try DeviceMatchRule(
                name: "slow",
                criteria: DeviceMatchCriteria(serialNumber: "1"),
                options: DeviceMatchOptions(baudRate: 0)
            )
        }
    }
}
