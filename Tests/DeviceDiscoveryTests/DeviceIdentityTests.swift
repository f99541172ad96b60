import DeviceDiscovery
import Testing

@Suite("Stable device identity")
struct DeviceIdentityTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var device: DiscoveredSerialDevice
        var expected: String
        var source: DeviceIdentity.Source
        var testDescription: String { name }
    }

    private static func device(_ snapshot: UdevDeviceSnapshot) -> DiscoveredSerialDevice {
        DiscoveredSerialDevice(snapshot: snapshot)!
    }

    static let cases: [Case] = [
        Case(
            name: "USB serial number with interface",
            device: device(CapturedSnapshots.cp2102),
            expected: "usb-10c4:ea60-0001A2B3-if00",
            source: .usbSerialNumber
        ),
        Case(
            name: "second port of a multi-port adapter",
            device: device(CapturedSnapshots.ft2232PortB),
            expected: "usb-0403:6010-FT4ABCDE-if01",
            source: .usbSerialNumber
        ),
        Case(
            name: "serial number with characters unfit for client ids",
            device: DiscoveredSerialDevice(
                syspath: "/sys/x/tty/ttyUSB0",
                devnode: "/dev/ttyUSB0",
                vendorID: 0x0403,
                productID: 0x6001,
                serialNumber: "A B/C#1",
                interfaceNumber: 0
            ),
            expected: "usb-0403:6001-A_B_C_1-if00",
            source: .usbSerialNumber
        ),
        Case(
            name: "serial number without a known interface",
            device: DiscoveredSerialDevice(
                syspath: "/sys/x/tty/ttyACM0",
                devnode: "/dev/ttyACM0",
                vendorID: 0x303a,
                productID: 0x1001,
                serialNumber: "F4:12"
            ),
            expected: "usb-303a:1001-F4:12",
            source: .usbSerialNumber
        ),
        Case(
            name: "no serial number: the physical path",
            device: device(CapturedSnapshots.ch340),
            expected: "path-pci-0000:00:14.0-usb-0:3:1.0",
            source: .physicalPath
        ),
        Case(
            name: "a serial number without USB ids is not trusted alone",
            device: DiscoveredSerialDevice(
                syspath: "/sys/x/tty/ttyUSB0",
                devnode: "/dev/ttyUSB0",
                serialNumber: "0001",
                idPath: "pci-0000:00:14.0-usb-0:1:1.0"
            ),
            expected: "path-pci-0000:00:14.0-usb-0:1:1.0",
            source: .physicalPath
        ),
        Case(
            name: "no ID_PATH: the by-path link's name",
            device: DiscoveredSerialDevice(
                syspath: "/sys/x/tty/ttyUSB0",
                devnode: "/dev/ttyUSB0",
                byPath: "/dev/serial/by-path/platform-xhci-hcd.0-usb-0:1:1.0-port0"
            ),
            expected: "path-platform-xhci-hcd.0-usb-0:1:1.0-port0",
            source: .physicalPath
        ),
        Case(
            name: "built-in UART: its fixed sysfs path",
            device: device(CapturedSnapshots.builtInUART),
            expected: "sysfs-platform_serial8250_tty_ttyS1",
            source: .sysfsPath
        ),
    ]

    @Test(arguments: cases)
    func identity(_ testCase: Case) {
        let identity = testCase.device.identity
        #expect(identity.rawValue == testCase.expected)
        #expect(identity.source == testCase.source)
    }

    @Test("a board with a serial number keeps its identity in another port under another tty name")
    func replugWithSerialNumber() {
        let before = Self.device(CapturedSnapshots.cp2102)
        let after = Self.device(CapturedSnapshots.cp2102OnAnotherPort)
        #expect(before.devnode != after.devnode)
        #expect(before.idPath != after.idPath)
        #expect(before.identity == after.identity)
    }

    @Test("a board without serial number keeps its identity in the same port even when its tty name changes")
    func replugWithoutSerialNumberSamePort() {
        let before = Self.device(CapturedSnapshots.ch340)
        var renamed = CapturedSnapshots.ch340
        renamed.syspath = renamed.syspath.replacingTTY("ttyUSB1", with: "ttyUSB0")
        renamed.devnode = "/dev/ttyUSB0"
        renamed.properties["DEVNAME"] = "/dev/ttyUSB0"
        let after = Self.device(renamed)
        #expect(before.devnode != after.devnode)
        #expect(before.identity == after.identity)
    }

    @Test("a board without serial number in another port is a different device as far as the host can tell")
    func replugWithoutSerialNumberOtherPort() {
        let before = Self.device(CapturedSnapshots.ch340)
        var moved = CapturedSnapshots.ch340
        moved.properties["ID_PATH"] = "pci-0000:00:14.0-usb-0:4:1.0"
        #expect(before.identity != Self.device(moved).identity)
    }

    @Test("the two ports of one adapter have different identities")
    func portsOfOneAdapter() {
        var portA = CapturedSnapshots.ft2232PortB
        portA.usbInterfaceAttributes = ["bInterfaceNumber": "00"]
        #expect(Self.device(portA).identity != Self.device(CapturedSnapshots.ft2232PortB).identity)
    }
}

extension String {
    fileprivate func replacingTTY(_ old: String, with new: String) -> String {
        split(separator: "/", omittingEmptySubsequences: false)
            .map { $0 == old ? new : String($0) }
            .joined(separator: "/")
    }
}
