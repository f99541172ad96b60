/// One line of `snbridge devices`: what discovery sees now, with the live state from a running bridge when one
/// answered.
struct DeviceListing: Hashable, Sendable, Codable {
    var id: String
    var path: String
    var usbID: String?
    var rule: String?
    var state: String
    /// Where the line comes from: `udev` (seen by discovery now), `bridge` (only in the bridge's retained list,
    /// e.g. a configured port or a board that left), or `udev+bridge`.
    var source: String
    var product: String?
    var serial: String?

    enum CodingKeys: String, CodingKey {
        case id, path
        case usbID = "usb_id"
        case rule, state, source, product, serial
    }
}
