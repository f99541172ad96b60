/// A name for a physical board that stays the same when it is unplugged and plugged in again.
///
/// The tty name is never used: `ttyUSB0` becomes `ttyUSB1` when two boards are replugged in the other order. In
/// order of preference the identity comes from:
///
/// 1. the USB serial number, with vendor, product and interface number: `usb-10c4:ea60-0001A2B3-if00`. The board
///    keeps it on any port, hub or machine. The interface number tells the ports of a multi-port adapter (FT2232,
///    CP2105) apart, since they share one serial number.
/// 2. the physical path udev reports in `ID_PATH`: `path-pci-0000:00:14.0-usb-0:2:1.0`. Chips without a serial
///    number (most CH340 boards) keep their identity as long as they go back into the same port.
/// 3. the sysfs path without `/sys/devices/`, for ttys with neither (built-in UARTs), whose sysfs path is fixed by
///    the hardware.
///
/// This is the host's view of the board. Cheap clones sometimes share a serial number such as `0001`, and a
/// serial-less board moved to another port looks new; so the identity is later confirmed by the device id the
/// board itself sends in the serial link handshake (SerialLink), which wins when the two disagree.
public struct DeviceIdentity: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Where an identity came from, strongest first.
    public enum Source: String, Sendable, Hashable {
        /// The USB serial number.
        case usbSerialNumber = "usb-serial"
        /// The physical port path (`ID_PATH` / by-path link).
        case physicalPath = "path"
        /// The sysfs path of a tty without USB serial number or physical path.
        case sysfsPath = "sysfs"
    }

    /// The identity, restricted to `A-Z a-z 0-9 . _ : -` so that it can go into MQTT client ids and topics.
    public let rawValue: String
    /// What the identity was derived from.
    public let source: Source

    /// The identity of `device`, by the rules above.
    public init(device: DiscoveredSerialDevice) {
        if let vendorID = device.vendorID, let productID = device.productID, let serial = device.serialNumber {
            var value = "usb-\(vendorID.fourDigitHex):\(productID.fourDigitHex)-\(serial)"
            if let interfaceNumber = device.interfaceNumber {
                value += "-if" + Self.twoDigitHex(interfaceNumber)
            }
            self.init(unsanitized: value, source: .usbSerialNumber)
        } else if let idPath = device.idPath {
            self.init(unsanitized: "path-" + idPath, source: .physicalPath)
        } else if let byPath = device.byPath {
            let name = byPath.split(separator: "/").last.map(String.init) ?? byPath
            self.init(unsanitized: "path-" + name, source: .physicalPath)
        } else {
            var path = Substring(device.syspath)
            for prefix in ["/sys/devices/", "/sys/"] where path.hasPrefix(prefix) {
                path = path.dropFirst(prefix.count)
                break
            }
            self.init(unsanitized: "sysfs-" + path, source: .sysfsPath)
        }
    }

    private init(unsanitized: String, source: Source) {
        self.rawValue = String(
            String.UnicodeScalarView(
                unsanitized.unicodeScalars.map { scalar in
                    Self.allowedScalars.contains(scalar) ? scalar : "_"
                }
            )
        )
        self.source = source
    }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    private static let allowedScalars: Set<Unicode.Scalar> = Set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-".unicodeScalars
    )

    private static func twoDigitHex(_ value: Int) -> String {
        let digits = String(value, radix: 16)
        return digits.count < 2 ? "0" + digits : digits
    }
}
