import DeviceDiscovery

/// One line of the probe's output: a discovery event with the device it concerns, as JSON.
struct ProbeLine: Encodable {
    var event: String
    var syspath: String?
    var devnode: String?
    var identity: String?
    var identitySource: String?
    var vendorID: String?
    var productID: String?
    var serialNumber: String?
    var manufacturer: String?
    var product: String?
    var interfaceNumber: Int?
    var idPath: String?
    var byPath: String?
    var byID: [String]?
    var rule: String?
    var properties: [String: String]?

    init(_ event: DeviceDiscoveryEvent) {
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
        self.vendorID = device.vendorID.map(Self.fourHexDigits)
        self.productID = device.productID.map(Self.fourHexDigits)
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

    private static func fourHexDigits(_ value: UInt16) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}
