import DeviceDiscovery
import Testing

@Suite("Reading a device out of a udev snapshot")
struct DiscoveredSerialDeviceParsingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var snapshot: UdevDeviceSnapshot
        var expected: DiscoveredSerialDevice?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "CP2102 from sysfs attributes",
            snapshot: CapturedSnapshots.cp2102,
            expected: DiscoveredSerialDevice(
                syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/ttyUSB0/tty/ttyUSB0",
                devnode: "/dev/ttyUSB0",
                vendorID: 0x10c4,
                productID: 0xea60,
                serialNumber: "0001A2B3",
                manufacturer: "Silicon Labs",
                product: "CP2102 USB to UART Bridge Controller",
                interfaceNumber: 0,
                idPath: "pci-0000:00:14.0-usb-0:2:1.0",
                byPath: "/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0-port0",
                byID: ["/dev/serial/by-id/usb-Silicon_Labs_CP2102_USB_to_UART_Bridge_Controller_0001A2B3-if00-port0"],
                properties: [
                    "DEVNAME": "/dev/ttyUSB0", "MAJOR": "188", "MINOR": "0", "SUBSYSTEM": "tty", "ID_BUS": "usb",
                    "ID_VENDOR_ID": "10c4", "ID_MODEL_ID": "ea60", "ID_VENDOR": "Silicon_Labs",
                    "ID_MODEL": "CP2102_USB_to_UART_Bridge_Controller",
                    "ID_SERIAL": "Silicon_Labs_CP2102_USB_to_UART_Bridge_Controller_0001A2B3",
                    "ID_SERIAL_SHORT": "0001A2B3", "ID_USB_INTERFACE_NUM": "00", "ID_USB_DRIVER": "cp210x",
                    "ID_PATH": "pci-0000:00:14.0-usb-0:2:1.0", "ID_PATH_TAG": "pci-0000_00_14_0-usb-0_2_1_0",
                    "ID_MM_DEVICE_IGNORE": "1", "SNBRIDGE_DEVICE": "1", "TAGS": ":snbridge:systemd:",
                    "CURRENT_TAGS": ":snbridge:systemd:",
                ]
            )
        ),
        Case(
            name: "CH340 without serial number or by-id link",
            snapshot: CapturedSnapshots.ch340,
            expected: DiscoveredSerialDevice(
                syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-3/1-3:1.0/ttyUSB1/tty/ttyUSB1",
                devnode: "/dev/ttyUSB1",
                vendorID: 0x1a86,
                productID: 0x7523,
                serialNumber: nil,
                manufacturer: "1a86",
                product: "USB Serial",
                interfaceNumber: 0,
                idPath: "pci-0000:00:14.0-usb-0:3:1.0",
                byPath: "/dev/serial/by-path/pci-0000:00:14.0-usb-0:3:1.0-port0",
                byID: [],
                properties: [
                    "DEVNAME": "/dev/ttyUSB1", "SUBSYSTEM": "tty", "ID_VENDOR_ID": "1a86", "ID_MODEL_ID": "7523",
                    "ID_VENDOR": "1a86", "ID_MODEL": "USB_Serial", "ID_SERIAL": "1a86_USB_Serial",
                    "ID_PATH": "pci-0000:00:14.0-usb-0:3:1.0",
                ]
            )
        ),
        Case(
            name: "a remove event falls back to udev's ID_ properties",
            snapshot: CapturedSnapshots.cp2102RemoveEvent,
            expected: DiscoveredSerialDevice(
                syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/ttyUSB0/tty/ttyUSB0",
                devnode: "/dev/ttyUSB0",
                vendorID: 0x10c4,
                productID: 0xea60,
                serialNumber: "0001A2B3",
                manufacturer: "Silicon_Labs",
                product: "CP2102_USB_to_UART_Bridge_Controller",
                interfaceNumber: 0,
                idPath: "pci-0000:00:14.0-usb-0:2:1.0",
                byPath: nil,
                byID: [],
                properties: [
                    "DEVNAME": "/dev/ttyUSB0", "SUBSYSTEM": "tty", "ID_VENDOR_ID": "10c4", "ID_MODEL_ID": "ea60",
                    "ID_VENDOR": "Silicon_Labs", "ID_MODEL": "CP2102_USB_to_UART_Bridge_Controller",
                    "ID_SERIAL_SHORT": "0001A2B3", "ID_USB_INTERFACE_NUM": "00",
                    "ID_PATH": "pci-0000:00:14.0-usb-0:2:1.0",
                ]
            )
        ),
        Case(
            name: "built-in UART without USB parent",
            snapshot: CapturedSnapshots.builtInUART,
            expected: DiscoveredSerialDevice(
                syspath: "/sys/devices/platform/serial8250/tty/ttyS1",
                devnode: "/dev/ttyS1",
                properties: ["DEVNAME": "/dev/ttyS1", "SUBSYSTEM": "tty", "MAJOR": "4", "MINOR": "65"]
            )
        ),
        Case(name: "tty without device node", snapshot: CapturedSnapshots.withoutNode, expected: nil),
    ]

    @Test(arguments: cases)
    func parses(_ testCase: Case) {
        #expect(DiscoveredSerialDevice(snapshot: testCase.snapshot) == testCase.expected)
    }

    @Test("the interface number of a multi-port adapter's second port is read in hexadecimal")
    func multiPortInterfaceNumber() throws {
        let device = try #require(DiscoveredSerialDevice(snapshot: CapturedSnapshots.ft2232PortB))
        #expect(device.interfaceNumber == 1)
        #expect(device.byID == ["/dev/serial/by-id/usb-FTDI_Dual_RS232-HS_FT4ABCDE-if01-port0"])
        #expect(device.byPath == "/dev/serial/by-path/pci-0000:00:14.0-usb-0:6:1.1-port0")
    }

    @Test("sysfs attribute values lose their trailing newline and padding")
    func trimsAttributes() throws {
        var snapshot = CapturedSnapshots.ch340
        snapshot.usbDeviceAttributes = [
            "idVendor": "1a86\n", "idProduct": " 7523 ", "serial": "\n", "product": "USB Serial\n",
        ]
        let device = try #require(DiscoveredSerialDevice(snapshot: snapshot))
        #expect(device.vendorID == 0x1a86)
        #expect(device.productID == 0x7523)
        #expect(device.serialNumber == nil)
        #expect(device.product == "USB Serial")
    }
}
