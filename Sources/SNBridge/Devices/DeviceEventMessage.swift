import Foundation

/// The JSON published on `<prefix>/events`.
public struct DeviceEventMessage: Hashable, Sendable, Codable {
    public var event: DeviceEventKind
    public var device: String
    public var path: String
    public var usbID: String?
    public var reason: String?
    public var time: Date

    public init(event: DeviceEventKind, device: String, path: String, usbID: String?, reason: String?, time: Date) {
        self.event = event
        self.device = device
        self.path = path
        self.usbID = usbID
        self.reason = reason
        self.time = time
    }

    enum CodingKeys: String, CodingKey {
        case event, device, path
        case usbID = "usb_id"
        case reason, time
    }
}
