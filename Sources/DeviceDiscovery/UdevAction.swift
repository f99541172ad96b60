/// The kernel's uevent action, as libudev's `udev_device_get_action` reports it.
public enum UdevAction: Sendable, Hashable {
    case add
    case remove
    case change
    case move
    case bind
    case unbind
    case online
    case offline
    /// An action this code does not know.
    case other(String)

    public init(_ text: String) {
        switch text {
        case "add": self = .add
        case "remove": self = .remove
        case "change": self = .change
        case "move": self = .move
        case "bind": self = .bind
        case "unbind": self = .unbind
        case "online": self = .online
        case "offline": self = .offline
        default: self = .other(text)
        }
    }
}
