/// What stays true about a device while the bridge tracks it: who it is and where it is plugged in now.
public struct DeviceDescriptor: Hashable, Sendable {
    /// The stable identity: ``DeviceDiscovery/DeviceIdentity`` for discovered devices (USB serial number or
    /// physical path, never the tty name), `serial-<path>` for configured ports. Used in topics as `<device-id>`.
    public var id: String
    /// The tty path opened now; it may change when a discovered board is replugged.
    public var path: String
    /// `vvvv:pppp` when the tty sits on USB.
    public var usbID: String?
    /// The match rule that selected the device (discovered devices only).
    public var rule: String?
    public var origin: DeviceOrigin
    /// The USB manufacturer and product strings udev reports (discovered devices only).
    public var manufacturer: String?
    public var product: String?

    public init(
        id: String,
        path: String,
        usbID: String? = nil,
        rule: String? = nil,
        origin: DeviceOrigin,
        manufacturer: String? = nil,
        product: String? = nil
    ) {
        self.id = id
        self.path = path
        self.usbID = usbID
        self.rule = rule
        self.origin = origin
        self.manufacturer = manufacturer
        self.product = product
    }

    /// A configured port's identity: its path, which is all that is known about it before the device says HELLO.
    public static func configured(path: String) -> DeviceDescriptor {
        let components = path.split(separator: "/").joined(separator: "_")
        return DeviceDescriptor(id: "serial-" + idSafe(components), path: path, origin: .configured)
    }

    /// A UDP client: `udp-<client id>`, its address as the path.
    public static func udp(clientID: String, address: String) -> DeviceDescriptor {
        DeviceDescriptor(id: "udp-" + idSafe(clientID), path: address, origin: .udp)
    }

    /// `text` with every character that does not belong in a topic level or a Home Assistant id replaced by `_`.
    static func idSafe(_ text: String) -> String {
        String(
            text.map { character -> Character in
                character.isASCII && (character.isLetter || character.isNumber || "._:-".contains(character))
                    ? character : "_"
            }
        )
    }
}
