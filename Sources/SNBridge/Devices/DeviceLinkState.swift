/// Where a device stands, from the bridge's point of view.
///
/// ```
///  present --open--> opening --link up--> linked <--client--> connected / asleep
///     ^                 |                    |
///     |             open failed          link down / port closed / removed
///     |                 v                    v
///     +---appeared--- error(reason)        lost ---appeared / opening---> ...
/// ```
public enum DeviceLinkState: Hashable, Sendable {
    /// Known (discovered, or a configured port) but not open.
    case present
    /// The tty is being opened, or is open and waiting for the device's HELLO.
    case opening
    /// The serial link is up; no MQTT-SN client on it is connected (yet).
    case linked
    /// The link is up and the device's MQTT-SN client is connected (or awake).
    case connected
    /// The link is up and the device's MQTT-SN client sleeps.
    case asleep
    /// The device went away: unplugged, removed, or its link went silent.
    case lost
    /// The tty could not be opened or used, or the device's HELLO was refused.
    case error(reason: String)

    /// The state's name as status topics and `snbridge devices` show it.
    public var name: String {
        switch self {
        case .present: "present"
        case .opening: "opening"
        case .linked: "linked"
        case .connected: "connected"
        case .asleep: "asleep"
        case .lost: "lost"
        case .error: "error"
        }
    }

    /// Whether the device is available: its MQTT-SN client is connected or asleep (the gateway drops a sleeping
    /// client whose sleep duration ran out), so its availability topic says `online`.
    public var isOnline: Bool {
        switch self {
        case .connected, .asleep: true
        case .present, .opening, .linked, .lost, .error: false
        }
    }

    /// Whether the link to the device is up, whatever its client does.
    public var isLinkUp: Bool {
        switch self {
        case .linked, .connected, .asleep: true
        case .present, .opening, .lost, .error: false
        }
    }

    /// The state of the link alone (`linked` while it is up), for the `link` field of the device list.
    public var linkName: String {
        isLinkUp ? "linked" : name
    }
}
