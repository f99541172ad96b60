/// One JSON line of `snbridge-discovery-probe`.
struct ProbeRecord: Decodable, Sendable, CustomStringConvertible {
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

    var description: String {
        "\(event) \(devnode ?? "-") identity=\(identity ?? "-") rule=\(rule ?? "-") syspath=\(syspath ?? "-")"
    }
}
