/// A discovery event with the device it concerns, flattened for JSON: what `snbridge-discovery-probe` prints, one
/// per line, and what the umockdev tests read back.
public struct DeviceDiscoveryEventRecord: Codable, Sendable, Hashable, CustomStringConvertible {
    /// `added`, `changed`, `removed`, `enumerationCompleted`; the probe adds `finished` when the stream has ended.
    public var event: String
    public var syspath: String?
    public var devnode: String?
    public var identity: String?
    public var identitySource: String?
    /// Four lowercase hexadecimal digits, as `udevadm info` shows them.
    public var vendorID: String?
    public var productID: String?
    public var serialNumber: String?
    public var manufacturer: String?
    public var product: String?
    public var interfaceNumber: Int?
    public var idPath: String?
    public var byPath: String?
    public var byID: [String]?
    /// The name of the rule that matched the device.
    public var rule: String?
    public var properties: [String: String]?

    public init(_ event: DeviceDiscoveryEvent) {
        switch event {
        case .added(let device): self.init(event: "added", device: device)
        case .changed(let device): self.init(event: "changed", device: device)
        case .removed(let device): self.init(event: "removed", device: device)
        case .enumerationCompleted: self.init(event: "enumerationCompleted")
        }
    }

    private init(event: String) {
        self.event = event
    }

    private init(event: String, device: DiscoveredSerialDevice) {
        self.event = event
        self.syspath = device.syspath
        self.devnode = device.devnode
        self.identity = device.identity.rawValue
        self.identitySource = device.identity.source.rawValue
        self.vendorID = device.vendorID?.fourDigitHex
        self.productID = device.productID?.fourDigitHex
        self.serialNumber = device.serialNumber
        self.manufacturer = device.manufacturer
        self.product = device.product
        self.interfaceNumber = device.interfaceNumber
        self.idPath = device.idPath
        self.byPath = device.byPath
        self.byID = device.byID
        self.rule = device.matchedRule?.name
        self.properties = device.properties
    }

    public var description: String {
        "\(event) \(devnode ?? "-") identity=\(identity ?? "-") rule=\(rule ?? "-") syspath=\(syspath ?? "-")"
    }
}
