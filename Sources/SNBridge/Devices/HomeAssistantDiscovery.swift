import Foundation

/// Home Assistant MQTT discovery for the bridge's devices: for each device one Home Assistant device with a
/// `connectivity` binary sensor (its availability topic) and diagnostic sensors read from its state topic, every
/// entity unavailable while the bridge is offline (its status topic). Single-component discovery, full key names:
///
/// ```
/// <prefix>/binary_sensor/snbridge_<device>/connectivity/config   retained JSON config
/// <prefix>/sensor/snbridge_<device>/<sensor>/config              last_seen, link, messages_in/out, frames_in/out, relinks
/// <status prefix>/devices/<device>/state                         retained JSON the sensors read
/// ```
///
/// A forgotten device's configs are replaced by empty retained messages, which removes it from Home Assistant.
struct HomeAssistantDiscovery: Sendable {
    let prefix: String
    let topics: StatusTopics

    /// One entity's discovery config, in Home Assistant's key names.
    struct Config: Encodable, Hashable {
        struct Availability: Encodable, Hashable {
            var topic: String
            var payload_available = "online"
            var payload_not_available = "offline"
        }

        struct Device: Encodable, Hashable {
            var identifiers: [String]
            var name: String
            var manufacturer: String
            var model: String
            var sw_version: String?
            var serial_number: String?
        }

        struct Origin: Encodable, Hashable {
            var name = "snbridge"
            var sw_version = SNBridgeVersion.string
        }

        var name: String
        var unique_id: String
        var state_topic: String
        var device_class: String?
        var state_class: String?
        var entity_category: String?
        var value_template: String?
        var payload_on: String?
        var payload_off: String?
        var availability: [Availability]
        var device: Device
        var origin = Origin()
    }

    /// The diagnostic sensors: object id, name, the state JSON key, and whether it is a growing count.
    static let sensors: [(object: String, name: String, key: String, counter: Bool, serialOnly: Bool)] = [
        ("last_seen", "Last seen", "last_seen", false, false),
        ("link", "Link state", "state", false, false),
        ("messages_in", "Messages in", "messages_in", true, false),
        ("messages_out", "Messages out", "messages_out", true, false),
        ("frames_in", "Frames in", "frames_in", true, true),
        ("frames_out", "Frames out", "frames_out", true, true),
        ("relinks", "Relinks", "relinks", true, true),
    ]

    /// `[a-zA-Z0-9_-]` only, as Home Assistant requires of discovery topic levels.
    static func nodeID(of deviceID: String) -> String {
        "snbridge_"
            + String(deviceID.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") ? $0 : "_" })
    }

    func configTopic(component: String, deviceID: String, object: String) -> String {
        "\(prefix)/\(component)/\(Self.nodeID(of: deviceID))/\(object)/config"
    }

    /// Every config topic a device can have, for removal.
    func configTopics(of deviceID: String) -> [String] {
        [configTopic(component: "binary_sensor", deviceID: deviceID, object: "connectivity")]
            + Self.sensors.map { configTopic(component: "sensor", deviceID: deviceID, object: $0.object) }
    }

    /// The retained configs of one device, topic and JSON payload.
    func configs(for device: DeviceRecord) -> [(topic: String, payload: String)] {
        let node = Self.nodeID(of: device.id)
        let haDevice = Config.Device(
            identifiers: [node],
            name: device.product.map { "\($0) (\(device.id))" } ?? device.id,
            manufacturer: device.manufacturer ?? device.usbID.map { "USB vendor \($0.prefix(4))" } ?? "snbridge",
            model: device.origin == .udp ? "MQTT-SN client over UDP" : "MQTT-SN board on \(device.path)",
            sw_version: device.firmware,
            serial_number: device.helloID
        )
        let availability = [Config.Availability(topic: topics.bridgeStatus)]
        var configs: [(String, String)] = []
        let connectivity = Config(
            name: "Connectivity",
            unique_id: "\(node)_connectivity",
            state_topic: topics.availability(of: device.id),
            device_class: "connectivity",
            payload_on: "online",
            payload_off: "offline",
            availability: availability,
            device: haDevice
        )
        configs.append(
            (
                configTopic(component: "binary_sensor", deviceID: device.id, object: "connectivity"),
                StatusJSON.encode(connectivity)
            )
        )
        for sensor in Self.sensors where !(sensor.serialOnly && device.origin == .udp) {
            let config = Config(
                name: sensor.name,
                unique_id: "\(node)_\(sensor.object)",
                state_topic: topics.state(of: device.id),
                device_class: sensor.object == "last_seen" ? "timestamp" : nil,
                state_class: sensor.counter ? "total_increasing" : nil,
                entity_category: "diagnostic",
                value_template: "{{ value_json.\(sensor.key) }}",
                availability: availability,
                device: haDevice
            )
            configs.append(
                (
                    configTopic(component: "sensor", deviceID: device.id, object: sensor.object),
                    StatusJSON.encode(config)
                )
            )
        }
        return configs
    }

    /// What the sensors read: `<status prefix>/devices/<id>/state`.
    func state(of device: DeviceRecord) -> String {
        struct State: Encodable {
            var state: String
            var last_seen: Date
            var messages_in: Int
            var messages_out: Int
            var frames_in: Int
            var frames_out: Int
            var relinks: Int
        }
        let counters = device.counters ?? DeviceCounters()
        return StatusJSON.encode(
            State(
                state: device.state,
                last_seen: device.lastSeen ?? device.since,
                messages_in: counters.messagesIn ?? 0,
                messages_out: counters.messagesOut ?? 0,
                frames_in: counters.framesIn,
                frames_out: counters.framesOut,
                relinks: counters.relinks
            )
        )
    }
}
