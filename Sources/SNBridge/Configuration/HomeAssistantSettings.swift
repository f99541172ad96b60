/// Home Assistant MQTT discovery (`status.homeassistant.*`): every device announced as a Home Assistant device
/// with a connectivity binary sensor and diagnostic sensors.
public struct HomeAssistantSettings: Sendable, Hashable {
    /// `status.homeassistant.enabled`. Defaults to false.
    public var enabled: Bool
    /// `status.homeassistant.prefix`: Home Assistant's discovery prefix. Defaults to `homeassistant`.
    public var prefix: String

    public init(enabled: Bool = false, prefix: String = "homeassistant") {
        self.enabled = enabled
        self.prefix = prefix
    }
}
