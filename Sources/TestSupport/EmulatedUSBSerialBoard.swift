import Foundation

/// A USB-serial board as a umockdev description: USB device, interface and tty, with the udev properties and
/// links udev's rules would add on a real machine, and a device node (`N:`) so that umockdev backs the tty with a
/// pty that ``UMockdevBridgeTestbed/relay(_:to:)`` can carry bytes over.
public struct EmulatedUSBSerialBoard: Sendable {
    public var vendorID: String
    public var productID: String
    public var serialNumber: String
    public var manufacturer: String
    public var product: String
    public var driver: String
    /// The hub port path, `1-2` for root hub port 2.
    public var usbPort: String
    /// `ttyUSB0`; umockdev 0.17 leaves node files behind on removal, so a re-add should use another name, as
    /// the kernel often does anyway.
    public var ttyName: String

    private static let controller = "/sys/devices/pci0000:00/0000:00:14.0"

    /// A CP2102 (NodeMCU, ESP32 DevKit), as the built-in `cp210x` rule expects it.
    public static func cp2102(usbPort: String = "1-2", ttyName: String, serialNumber: String = "0001A2B3") -> Self {
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

    public var devnode: String { "/dev/\(ttyName)" }
    public var usbDeviceSyspath: String { "\(Self.controller)/usb1/\(usbPort)" }
    public var interfaceSyspath: String { "\(usbDeviceSyspath)/\(usbPort):1.0" }
    public var ttySyspath: String { "\(interfaceSyspath)/\(ttyName)/tty/\(ttyName)" }
    /// The devices to remove, leaf first.
    public var syspathsLeafFirst: [String] { [ttySyspath, interfaceSyspath, usbDeviceSyspath] }
    /// The identity snbridge gives the board: USB ids, serial number and interface.
    public var expectedIdentity: String { "usb-\(vendorID):\(productID)-\(serialNumber)-if00" }

    public var umockdevDescription: String {
        let idPath = "pci-0000:00:14.0-usb-0:\(usbPort.split(separator: "-").dropFirst().joined(separator: "-")):1.0"
        let byID = "/dev/serial/by-id/usb-\(manufacturer)_\(product)_\(serialNumber)-if00-port0"
            .replacingOccurrences(of: " ", with: "_")
        return """
            P: \(usbDeviceSyspath.dropFirst("/sys".count))
            E: SUBSYSTEM=usb
            E: DEVTYPE=usb_device
            E: DRIVER=usb
            A: idVendor=\(vendorID)
            A: idProduct=\(productID)
            A: manufacturer=\(manufacturer)
            A: product=\(product)
            A: serial=\(serialNumber)

            P: \(interfaceSyspath.dropFirst("/sys".count))
            E: SUBSYSTEM=usb
            E: DEVTYPE=usb_interface
            E: DRIVER=\(driver)
            A: bInterfaceNumber=00

            P: \(ttySyspath.dropFirst("/sys".count))
            N: \(ttyName)
            E: SUBSYSTEM=tty
            E: DEVNAME=/dev/\(ttyName)
            E: ID_BUS=usb
            E: ID_VENDOR_ID=\(vendorID)
            E: ID_MODEL_ID=\(productID)
            E: ID_SERIAL_SHORT=\(serialNumber)
            E: ID_USB_INTERFACE_NUM=00
            E: ID_USB_DRIVER=\(driver)
            E: ID_PATH=\(idPath)
            E: DEVLINKS=/dev/serial/by-path/\(idPath)-port0 \(byID)

            """
    }
}
