import Foundation

/// One device as the retained `<prefix>/devices` list and `snbridge devices --json` show it.
public struct DeviceRecord: Hashable, Sendable, Codable {
    /// The MQTT-SN client running on a device, as the gateway reports its session.
    public struct Client: Hashable, Sendable, Codable {
        public var id: String
        public var state: DeviceClientState
    }

    public var id: String
    public var path: String
    public var usbID: String?
    public var rule: String?
    public var origin: DeviceOrigin
    /// The USB manufacturer and product strings (discovered devices).
    public var manufacturer: String?
    public var product: String?
    /// ``DeviceLinkState/name``.
    public var state: String
    /// What the device's availability topic says: `true` for `online`.
    public var online: Bool?
    /// The link alone: `linked` while it is up, whatever the client does (``DeviceLinkState/linkName``).
    public var link: String?
    /// Why the device is in `error`.
    public var reason: String?
    public var since: Date
    /// The last time anything was heard from the device.
    public var lastSeen: Date?
    /// The id the device gave in its HELLO (hex), once linked.
    public var helloID: String?
    /// Firmware name and version from the HELLO.
    public var firmware: String?
    public var client: Client?
    public var counters: DeviceCounters?

    public init(
        id: String,
        path: String,
        usbID: String? = nil,
        rule: String? = nil,
        origin: DeviceOrigin,
        manufacturer: String? = nil,
        product: String? = nil,
        state: String,
        online: Bool? = nil,
        link: String? = nil,
        reason: String? = nil,
        since: Date,
        lastSeen: Date? = nil,
        helloID: String? = nil,
        firmware: String? = nil,
        client: Client? = nil,
        counters: DeviceCounters? = nil
    ) {
        self.id = id
        self.path = path
        self.usbID = usbID
        self.rule = rule
        self.origin = origin
        self.manufacturer = manufacturer
        self.product = product
        self.state = state
        self.online = online
        self.link = link
        self.reason = reason
        self.since = since
        self.lastSeen = lastSeen
        self.helloID = helloID
        self.firmware = firmware
        self.client = client
        self.counters = counters
    }

    enum CodingKeys: String, CodingKey {
        case id, path
        case usbID = "usb_id"
        case rule, origin, manufacturer, product, state, online, link, reason, since
        case lastSeen = "last_seen"
        case helloID = "hello_id"
        case firmware, client, counters
    }
}
