import GatewayCore

/// The state of the MQTT-SN client a device runs, as the gateway sees its session.
public enum DeviceClientState: String, Hashable, Sendable, Codable {
    case connecting
    case connected
    case asleep
    case awake

    /// The client state of a live gateway session; `nil` for a lost one, which no longer counts.
    init?(_ state: GatewaySessionSnapshot.State) {
        switch state {
        case .connecting: self = .connecting
        case .connected: self = .connected
        case .asleep: self = .asleep
        case .awake: self = .awake
        case .lost: return nil
        }
    }
}
