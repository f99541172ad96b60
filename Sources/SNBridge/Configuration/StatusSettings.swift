import Foundation
import GatewayCore
import NIOCore

/// What the bridge publishes about itself and its devices through its own MQTT session (`status.*`).
public struct StatusSettings: Sendable, Hashable {
    /// `status.enabled`: publish status topics at all. Defaults to true.
    public var enabled: Bool
    /// `status.topic_prefix`: the first level(s) of every status topic. Defaults to `snbridge`.
    public var topicPrefix: String
    /// `status.console_to_mqtt`: also publish device console lines on `<prefix>/devices/<id>/console`.
    /// Defaults to false: console output can be chatty and may contain things a board prints for its maker only.
    public var consoleToMQTT: Bool
    /// `status.client_id`: the MQTT client id of the bridge's status session; `nil` gives
    /// ``defaultClientID(host:gatewayID:machineID:)``.
    public var clientID: String?
    /// `status.interval`: how often the device list is republished when only counters changed. Defaults to 10 s.
    public var interval: TimeAmount
    /// `status.forget_after`: how long a UDP sensor that left stays listed before it is forgotten (its retained
    /// availability and Home Assistant configs cleared). Defaults to 24 h.
    public var forgetAfter: TimeAmount = .hours(24)
    /// `status.udp_devices`: whether every UDP sensor is a device of its own (listed in `<prefix>/devices`, with its
    /// availability topic and `joined`/`left` events); `nil` gives ``listsUDPDevices(in:)``'s default.
    public var udpDevices: Bool?
    /// `status.homeassistant.*`: Home Assistant MQTT discovery.
    public var homeAssistant = HomeAssistantSettings()

    public init(
        enabled: Bool = true,
        topicPrefix: String = "snbridge",
        consoleToMQTT: Bool = false,
        clientID: String? = nil,
        interval: TimeAmount = .seconds(10)
    ) {
        self.enabled = enabled
        self.topicPrefix = topicPrefix
        self.consoleToMQTT = consoleToMQTT
        self.clientID = clientID
        self.interval = interval
    }

    /// Whether UDP sensors are devices in `mode`: by default in transparent mode, not in aggregating mode, whose
    /// fleets of 100,000 sensors would make the device list megabytes long, republished every `status.interval`
    /// (they are on the status page and in the metrics either way).
    public func listsUDPDevices(in mode: GatewayConfiguration.Mode) -> Bool {
        self.udpDevices ?? (mode == .transparent)
    }

    /// `snbridge-<host>-<gateway.id>-<machine id, 8 digits>`: two bridges on one host differ by their gateway ids,
    /// and two hosts of one name (every Raspberry Pi is `raspberrypi`) by their machine ids. Without a machine id
    /// (`/etc/machine-id` absent) the last part is left out. `broker.client_id_prefix` goes before it.
    public static func defaultClientID(host: String, gatewayID: UInt8, machineID: String?) -> String {
        let shortHost = host.split(separator: ".").first.map(String.init) ?? "host"
        var id = "snbridge-\(shortHost.isEmpty ? "host" : shortHost)-\(gatewayID)"
        if let machineID = machineID?.trimmingCharacters(in: .whitespacesAndNewlines), machineID.count >= 8 {
            id += "-" + machineID.prefix(8)
        }
        return id
    }
}
