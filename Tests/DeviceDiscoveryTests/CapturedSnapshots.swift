import DeviceDiscovery

/// What libudev reports for real boards, as `udevadm info` and the sysfs attributes of the USB parents show them
/// on a Debian 12 machine (udev 252). Discovery's parsing, identity and matching are table-tested against these.
enum CapturedSnapshots {
    static let cp2102 = UdevDeviceSnapshot(
        syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/ttyUSB0/tty/ttyUSB0",
        devnode: "/dev/ttyUSB0",
        properties: [
            "DEVPATH": "/devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/ttyUSB0/tty/ttyUSB0",
            "DEVNAME": "/dev/ttyUSB0",
            "MAJOR": "188",
            "MINOR": "0",
            "SUBSYSTEM": "tty",
            "USEC_INITIALIZED": "5512345678",
            "ID_BUS": "usb",
            "ID_VENDOR_ID": "10c4",
            "ID_MODEL_ID": "ea60",
            "ID_VENDOR": "Silicon_Labs",
            "ID_MODEL": "CP2102_USB_to_UART_Bridge_Controller",
            "ID_SERIAL": "Silicon_Labs_CP2102_USB_to_UART_Bridge_Controller_0001A2B3",
            "ID_SERIAL_SHORT": "0001A2B3",
            "ID_USB_INTERFACE_NUM": "00",
            "ID_USB_DRIVER": "cp210x",
            "ID_PATH": "pci-0000:00:14.0-usb-0:2:1.0",
            "ID_PATH_TAG": "pci-0000_00_14_0-usb-0_2_1_0",
            "ID_MM_DEVICE_IGNORE": "1",
            "SNBRIDGE_DEVICE": "1",
            "DEVLINKS": "/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0-port0 "
                + "/dev/serial/by-id/usb-Silicon_Labs_CP2102_USB_to_UART_Bridge_Controller_0001A2B3-if00-port0",
            "TAGS": ":snbridge:systemd:",
            "CURRENT_TAGS": ":snbridge:systemd:",
        ],
        usbDeviceAttributes: [
            "idVendor": "10c4", "idProduct": "ea60", "serial": "0001A2B3", "manufacturer": "Silicon Labs",
            "product": "CP2102 USB to UART Bridge Controller",
        ],
        usbInterfaceAttributes: ["bInterfaceNumber": "00"]
    )

    /// The same board in another hub port, enumerated second so it is ttyUSB1.
    static let cp2102OnAnotherPort = UdevDeviceSnapshot(
        syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-4/1-4.3/1-4.3:1.0/ttyUSB1/tty/ttyUSB1",
        devnode: "/dev/ttyUSB1",
        properties: [
            "DEVNAME": "/dev/ttyUSB1", "SUBSYSTEM": "tty", "ID_VENDOR_ID": "10c4", "ID_MODEL_ID": "ea60",
            "ID_SERIAL_SHORT": "0001A2B3", "ID_PATH": "pci-0000:00:14.0-usb-0:4.3:1.0",
            "DEVLINKS": "/dev/serial/by-path/pci-0000:00:14.0-usb-0:4.3:1.0-port0 "
                + "/dev/serial/by-id/usb-Silicon_Labs_CP2102_USB_to_UART_Bridge_Controller_0001A2B3-if00-port0",
        ],
        usbDeviceAttributes: [
            "idVendor": "10c4", "idProduct": "ea60", "serial": "0001A2B3", "manufacturer": "Silicon Labs",
            "product": "CP2102 USB to UART Bridge Controller",
        ],
        usbInterfaceAttributes: ["bInterfaceNumber": "00"]
    )

    /// A CH340 on an Arduino Nano clone: no serial number, so no by-id link.
    static let ch340 = UdevDeviceSnapshot(
        syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-3/1-3:1.0/ttyUSB1/tty/ttyUSB1",
        devnode: "/dev/ttyUSB1",
        properties: [
            "DEVNAME": "/dev/ttyUSB1", "SUBSYSTEM": "tty", "ID_VENDOR_ID": "1a86", "ID_MODEL_ID": "7523",
            "ID_VENDOR": "1a86", "ID_MODEL": "USB_Serial", "ID_SERIAL": "1a86_USB_Serial",
            "ID_PATH": "pci-0000:00:14.0-usb-0:3:1.0",
            "DEVLINKS": "/dev/serial/by-path/pci-0000:00:14.0-usb-0:3:1.0-port0",
        ],
        usbDeviceAttributes: ["idVendor": "1a86", "idProduct": "7523", "product": "USB Serial"],
        usbInterfaceAttributes: ["bInterfaceNumber": "00"]
    )

    /// Port B of an FT2232H: the two ports share the serial number and differ in interface.
    static let ft2232PortB = UdevDeviceSnapshot(
        syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-6/1-6:1.1/ttyUSB3/tty/ttyUSB3",
        devnode: "/dev/ttyUSB3",
        properties: [
            "DEVNAME": "/dev/ttyUSB3", "SUBSYSTEM": "tty", "ID_VENDOR_ID": "0403", "ID_MODEL_ID": "6010",
            "ID_SERIAL_SHORT": "FT4ABCDE", "ID_USB_INTERFACE_NUM": "01", "ID_PATH": "pci-0000:00:14.0-usb-0:6:1.1",
            "DEVLINKS": "/dev/serial/by-id/usb-FTDI_Dual_RS232-HS_FT4ABCDE-if01-port0 "
                + "/dev/serial/by-path/pci-0000:00:14.0-usb-0:6:1.1-port0",
        ],
        usbDeviceAttributes: [
            "idVendor": "0403", "idProduct": "6010", "serial": "FT4ABCDE", "manufacturer": "FTDI",
            "product": "Dual RS232-HS",
        ],
        usbInterfaceAttributes: ["bInterfaceNumber": "01"]
    )

    /// An ESP32-S3's own USB-Serial-JTAG port (CDC ACM, tty directly under the interface).
    static let esp32S3 = UdevDeviceSnapshot(
        syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-5/1-5:1.0/tty/ttyACM0",
        devnode: "/dev/ttyACM0",
        properties: [
            "DEVNAME": "/dev/ttyACM0", "SUBSYSTEM": "tty", "ID_VENDOR_ID": "303a", "ID_MODEL_ID": "1001",
            "ID_SERIAL_SHORT": "F4:12:FA:5C:3B:10", "ID_USB_INTERFACE_NUM": "00",
            "ID_PATH": "pci-0000:00:14.0-usb-0:5:1.0",
            "DEVLINKS": "/dev/serial/by-path/pci-0000:00:14.0-usb-0:5:1.0 "
                + "/dev/serial/by-id/usb-Espressif_USB_JTAG_serial_debug_unit_F4:12:FA:5C:3B:10-if00",
        ],
        usbDeviceAttributes: [
            "idVendor": "303a", "idProduct": "1001", "serial": "F4:12:FA:5C:3B:10", "manufacturer": "Espressif",
            "product": "USB JTAG/serial debug unit",
        ],
        usbInterfaceAttributes: ["bInterfaceNumber": "00"]
    )

    /// A built-in 16550 UART: no USB parent, no ID_PATH.
    static let builtInUART = UdevDeviceSnapshot(
        syspath: "/sys/devices/platform/serial8250/tty/ttyS1",
        devnode: "/dev/ttyS1",
        properties: ["DEVNAME": "/dev/ttyS1", "SUBSYSTEM": "tty", "MAJOR": "4", "MINOR": "65"]
    )

    /// A CP2102 remove event: the event carries udev's properties, but sysfs (and so the USB parents) is gone.
    static let cp2102RemoveEvent = UdevDeviceSnapshot(
        syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/ttyUSB0/tty/ttyUSB0",
        devnode: "/dev/ttyUSB0",
        properties: [
            "ACTION": "remove", "SEQNUM": "4242", "DEVNAME": "/dev/ttyUSB0", "SUBSYSTEM": "tty",
            "ID_VENDOR_ID": "10c4", "ID_MODEL_ID": "ea60", "ID_VENDOR": "Silicon_Labs",
            "ID_MODEL": "CP2102_USB_to_UART_Bridge_Controller", "ID_SERIAL_SHORT": "0001A2B3",
            "ID_USB_INTERFACE_NUM": "00", "ID_PATH": "pci-0000:00:14.0-usb-0:2:1.0",
        ]
    )

    /// The console tty has a node, but a tty class device without one (seen for some virtual ttys) is unusable.
    static let withoutNode = UdevDeviceSnapshot(
        syspath: "/sys/devices/virtual/tty/ttyprintk",
        devnode: nil,
        properties: ["SUBSYSTEM": "tty"]
    )
}
