/// The status topic names under one prefix (`status.topic_prefix`).
public struct StatusTopics: Hashable, Sendable {
    public var prefix: String

    public init(prefix: String) {
        self.prefix = prefix
    }

    /// `<prefix>/bridge/status`: `online` or `offline`, retained; `offline` is also the bridge's will.
    public var bridgeStatus: String { "\(prefix)/bridge/status" }
    /// `<prefix>/devices`: the JSON device list, retained.
    public var deviceList: String { "\(prefix)/devices" }
    /// `<prefix>/events`: joined / left / error, JSON, not retained.
    public var events: String { "\(prefix)/events" }

    /// `<prefix>/devices/<id>/availability`: `online` or `offline`, retained.
    public func availability(of deviceID: String) -> String { "\(prefix)/devices/\(deviceID)/availability" }
    /// `<prefix>/devices/<id>/state`: the device's state and counters as JSON, retained (with Home Assistant
    /// discovery, whose sensors read it).
    public func state(of deviceID: String) -> String { "\(prefix)/devices/\(deviceID)/state" }
    /// `<prefix>/devices/<id>/console`: the device's console lines, not retained.
    public func console(of deviceID: String) -> String { "\(prefix)/devices/\(deviceID)/console" }
}
