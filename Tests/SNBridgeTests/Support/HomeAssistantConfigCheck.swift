import Foundation

/// Checks one Home Assistant MQTT discovery message against the documented single-component schema: the topic is
/// `<prefix>/<component>/<node_id>/<object_id>/config` with levels of `[a-zA-Z0-9_-]`, the payload a JSON object
/// with the keys Home Assistant requires or needs to group entities (`state_topic` for MQTT binary sensors and
/// sensors; `unique_id` for a `device` to be accepted; `device.identifiers` non-empty), availability on the
/// bridge's status topic, and values its validators accept (`device_class`, `state_class`, `entity_category`).
enum HomeAssistantConfigCheck {
    static let binarySensorClasses: Set<String> = ["connectivity", "problem", "running", "update"]
    static let sensorClasses: Set<String> = ["timestamp", "duration", "data_size"]
    static let stateClasses: Set<String> = ["measurement", "total", "total_increasing"]

    /// The problems found; empty when the message is valid.
    static func problems(topic: String, payload: String, prefix: String, bridgeStatusTopic: String) -> [String] {
        var problems: [String] = []
        let levels = topic.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard levels.count == 5, levels[0] == prefix, levels[4] == "config" else {
            return ["topic \(topic) is not <prefix>/<component>/<node_id>/<object_id>/config"]
        }
        let component = levels[1]
        guard ["binary_sensor", "sensor"].contains(component) else { return ["unexpected component \(component)"] }
        for level in levels[2...3]
        where level.isEmpty
            || !level.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        {
            problems.append("topic level '\(level)' has characters outside [a-zA-Z0-9_-]")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) as? [String: Any] else {
            return problems + ["payload is not a JSON object: \(payload)"]
        }
        for key in ["state_topic", "unique_id", "name"] where (object[key] as? String)?.isEmpty != false {
            problems.append("missing \(key)")
        }
        if let stateTopic = object["state_topic"] as? String, stateTopic.contains("+") || stateTopic.contains("#") {
            problems.append("state_topic has a wildcard")
        }
        guard let device = object["device"] as? [String: Any],
            let identifiers = device["identifiers"] as? [String], !identifiers.isEmpty
        else {
            return problems + ["device.identifiers missing or empty"]
        }
        if (device["name"] as? String)?.isEmpty != false { problems.append("device.name missing") }
        let availability = object["availability"] as? [[String: Any]] ?? []
        if !availability.contains(where: { $0["topic"] as? String == bridgeStatusTopic }) {
            problems.append("availability is not tied to \(bridgeStatusTopic)")
        }
        if let category = object["entity_category"] as? String, !["diagnostic", "config"].contains(category) {
            problems.append("entity_category \(category) is not one Home Assistant accepts")
        }
        if let stateClass = object["state_class"] as? String, !stateClasses.contains(stateClass) {
            problems.append("state_class \(stateClass) unknown")
        }
        if let deviceClass = object["device_class"] as? String {
            let allowed = component == "binary_sensor" ? binarySensorClasses : sensorClasses
            if !allowed.contains(deviceClass) {
                problems.append("device_class \(deviceClass) not valid for \(component)")
            }
        }
        if component == "binary_sensor" {
            if object["payload_on"] as? String == nil || object["payload_off"] as? String == nil {
                problems.append("binary_sensor without payload_on/payload_off")
            }
        } else if (object["value_template"] as? String)?.contains("value_json") != true {
            problems.append("sensor without a value_template reading the state JSON")
        }
        return problems
    }
}
