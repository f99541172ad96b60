/// A USB-serial adapter as umockdev should present it: the USB device, its interface and the tty, with the udev
/// properties and links udev's rules would have added on a real machine (values as `udevadm info` shows them).
struct FakeUSBSerialAdapter {
    var vendorID: String
    var productID: String
    var serialNumber: String?
    var manufacturer: String
    var product: String
    var driver: String
    /// The hub port path, `1-2` for root hub port 2; the physical location that by-path encodes.
    var usbPort: String
    var interfaceNumber: Int = 0
    /// `ttyUSB0` for vendor drivers (cp210x, ch341, ftdi_sio), `ttyACM0` for CDC ACM.
    var ttyName: String

    private static let controller = "/sys/devices/pci0000:00/0000:00:14.0"

    var usbDeviceSyspath: String { "\(Self.controller)/usb1/\(usbPort)" }
    var interfaceSyspath: String { "\(usbDeviceSyspath)/\(usbPort):1.\(interfaceNumber)" }
    var ttySyspath: String {
        // usb-serial drivers put a port device between interface and tty; CDC ACM hangs the tty off the interface.
        ttyName.hasPrefix("ttyUSB")
            ? "\(interfaceSyspath)/\(ttyName)/tty/\(ttyName)"
            : "\(interfaceSyspath)/tty/\(ttyName)"
    }
    /// The devices to remove, leaf first.
    var syspathsLeafFirst: [String] { [ttySyspath, interfaceSyspath, usbDeviceSyspath] }

    var idPath: String {
        let ports = usbPort.split(separator: "-").dropFirst().joined(separator: "-")
        return "pci-0000:00:14.0-usb-0:\(ports):1.\(interfaceNumber)"
    }
    var byPath: String {
        "/dev/serial/by-path/\(idPath)" + (ttyName.hasPrefix("ttyUSB") ? "-port0" : "")
    }
    var byID: String? {
        guard let serialNumber else { return nil }
        let name = "\(manufacturer)_\(product)".replacingSpaces
        let interface = interfaceNumber < 10 ? "0\(interfaceNumber)" : "\(interfaceNumber)"
        return "/dev/serial/by-id/usb-\(name)_\(serialNumber)-if\(interface)"
            + (ttyName.hasPrefix("ttyUSB") ? "-port0" : "")
    }

    /// The umockdev description, parents first. No `N:` lines: discovery only reads the node's name, and umockdev
    /// 0.17 leaves node files behind on removal, which would make re-adding the same device fail.
    var umockdevDescription: String {
        var usb = """
            P: \(usbDeviceSyspath.dropFirst("/sys".count))
            E: SUBSYSTEM=usb
            E: DEVTYPE=usb_device
            E: DRIVER=usb
            A: idVendor=\(vendorID)
            A: idProduct=\(productID)
            A: manufacturer=\(manufacturer)
            A: product=\(product)
            A: bNumInterfaces= 1

            """
        if let serialNumber { usb += "A: serial=\(serialNumber)\n" }
        let interface = """
            P: \(interfaceSyspath.dropFirst("/sys".count))
            E: SUBSYSTEM=usb
            E: DEVTYPE=usb_interface
            E: DRIVER=\(driver)
            A: bInterfaceNumber=0\(interfaceNumber)

            """
        var links = [byPath]
        if let byID { links.append(byID) }
        var tty = """
            P: \(ttySyspath.dropFirst("/sys".count))
            E: SUBSYSTEM=tty
            E: DEVNAME=/dev/\(ttyName)
            E: ID_BUS=usb
            E: ID_VENDOR_ID=\(vendorID)
            E: ID_MODEL_ID=\(productID)
            E: ID_USB_INTERFACE_NUM=0\(interfaceNumber)
            E: ID_USB_DRIVER=\(driver)
            E: ID_PATH=\(idPath)
            E: ID_MM_DEVICE_IGNORE=1
            E: SNBRIDGE_DEVICE=1
            E: DEVLINKS=\(links.joined(separator: " "))

            """
        if let serialNumber { tty += "E: ID_SERIAL_SHORT=\(serialNumber)\n" }
        return usb + "\n" + interface + "\n" + tty
    }
}

extension FakeUSBSerialAdapter {
    /// A CP2102 on a NodeMCU / ESP32 DevKit, with its factory serial number.
    static func cp2102(usbPort: String, ttyName: String, serialNumber: String = "0001A2B3") -> Self {
        Self(
            vendorID: "10c4",
            productID: "ea60",
            serialNumber: serialNumber,
            manufacturer: "Silicon Labs",
            product: "CP2102 USB to UART Bridge Controller",
            driver: "cp210x",
            usbPort: usbPort,
            ttyName: ttyName
        )
    }

    /// A CH340 as on cheap Arduino Nano and ESP8266 clones: no serial number.
    static func ch340(usbPort: String, ttyName: String) -> Self {
        Self(
            vendorID: "1a86",
            productID: "7523",
            serialNumber: nil,
            manufacturer: "QinHeng Electronics",
            product: "USB Serial",
            driver: "ch341",
            usbPort: usbPort,
            ttyName: ttyName
        )
    }

    /// An ESP32-S3's own USB-Serial-JTAG port (CDC ACM).
    static func esp32S3(usbPort: String, ttyName: String) -> Self {
        Self(
            vendorID: "303a",
            productID: "1001",
            serialNumber: "F4:12:FA:5C:3B:10",
            manufacturer: "Espressif",
            product: "USB JTAG/serial debug unit",
            driver: "cdc_acm",
            usbPort: usbPort,
            ttyName: ttyName
        )
    }

    /// A USB-serial chip no built-in rule knows.
    static func unknown(usbPort: String, ttyName: String) -> Self {
        Self(
            vendorID: "1234",
            productID: "5678",
            serialNumber: "X1",
            manufacturer: "Nobody",
            product: "Mystery UART",
            driver: "usb_serial_simple",
            usbPort: usbPort,
            ttyName: ttyName
        )
    }
}

extension String {
    fileprivate var replacingSpaces: String {
        String(map { $0 == " " ? "_" : $0 })
    }
}
