import Foundation

/// One device's link state, changed only through its input methods, each of which returns what to announce.
///
/// Announcements follow the rule users rely on: `online` + `joined` exactly when the device's MQTT-SN client
/// becomes connected (or asleep within its sleep duration), `offline` + `left` exactly when an online device stops
/// being so (its client disconnected or was lost, the link went down, the board was unplugged), and `error` once
/// per new failure (a port retried every two seconds does not flood the events topic). A link that is up while the
/// client is not connected is `linked` and `offline`: "cable fine, firmware stuck" is not "working".
public struct DeviceStateMachine: Hashable, Sendable {
    /// The current state.
    public private(set) var state: DeviceLinkState
    /// When the device entered ``state``.
    public private(set) var since: Date
    /// How many times the link came up; more than one means the device relinked.
    public private(set) var linkUps: Int = 0

    public init(state: DeviceLinkState = .present, at time: Date) {
        self.state = state
        self.since = time
    }

    /// The device is there (discovered, re-added, or a configured port at start).
    public mutating func appeared(at time: Date) -> [DeviceStateAction] {
        switch state {
        case .present, .opening, .linked, .connected, .asleep:
            return []
        case .lost, .error:
            return transition(to: .present, at: time)
        }
    }

    /// The bridge starts opening the tty. A retry after a failure stays in `error` until it succeeds or fails
    /// differently, so that retries do not flap the state.
    public mutating func openingStarted(at time: Date) -> [DeviceStateAction] {
        switch state {
        case .present, .lost:
            return transition(to: .opening, at: time)
        case .opening, .linked, .connected, .asleep, .error:
            return []
        }
    }

    /// The tty is open; the device has not said HELLO yet.
    public mutating func portOpened(at time: Date) -> [DeviceStateAction] {
        switch state {
        case .present, .lost, .error:
            return transition(to: .opening, at: time)
        case .opening, .linked, .connected, .asleep:
            return []
        }
    }

    /// Opening the tty failed.
    public mutating func openFailed(reason: String, at time: Date) -> [DeviceStateAction] {
        if case .error(let previous) = state, previous == reason {
            return []
        }
        let wasOnline = state.isOnline
        var actions = transition(to: .error(reason: reason), at: time)
        if wasOnline { actions.insert(.publishAvailability(online: false), at: 0) }
        actions.insert(.publishEvent(.error, reason: reason), at: wasOnline ? 1 : 0)
        return actions
    }

    /// The serial link came up (HELLO accepted, or a raw port opened); the device is online once its client
    /// connects.
    public mutating func linkUp(at time: Date) -> [DeviceStateAction] {
        guard !state.isLinkUp else { return [] }
        linkUps += 1
        return transition(to: .linked, at: time)
    }

    /// The device's HELLO was refused (no protocol version in common, malformed, frame size too small): `error`
    /// with the reason, announced once per distinct reason.
    public mutating func linkRefused(reason: String, at time: Date) -> [DeviceStateAction] {
        openFailed(reason: reason, at: time)
    }

    /// The link went down while the tty stays open (silence, the device restarted).
    public mutating func linkDown(reason: String, at time: Date) -> [DeviceStateAction] {
        guard state.isLinkUp else { return [] }
        return wentOffline(reason: reason) + transition(to: .lost, at: time)
    }

    /// The tty closed (unplugged, far end gone, read error) or udev removed the device.
    public mutating func gone(reason: String, at time: Date) -> [DeviceStateAction] {
        switch state {
        case .linked, .connected, .asleep:
            return wentOffline(reason: reason) + transition(to: .lost, at: time)
        case .present, .opening, .error:
            return transition(to: .lost, at: time)
        case .lost:
            return []
        }
    }

    /// What the gateway reports about the device's own MQTT-SN client (`nil`: no live session).
    public mutating func clientObserved(_ client: DeviceClientState?, at time: Date) -> [DeviceStateAction] {
        guard state.isLinkUp else { return [] }
        let target: DeviceLinkState
        switch client {
        case .connected?, .awake?: target = .connected
        case .asleep?: target = .asleep
        case .connecting?, nil: target = .linked
        }
        guard target != state else { return [] }
        let wasOnline = state.isOnline
        let offline = wentOffline(reason: "client disconnected")
        let changed = transition(to: target, at: time)
        switch (wasOnline, target.isOnline) {
        case (false, true):
            return [.publishAvailability(online: true), .publishEvent(.joined, reason: nil)] + changed
        case (true, false):
            return offline + changed
        default:
            return changed
        }
    }

    private func wentOffline(reason: String) -> [DeviceStateAction] {
        state.isOnline ? [.publishAvailability(online: false), .publishEvent(.left, reason: reason)] : []
    }

    private mutating func transition(to newState: DeviceLinkState, at time: Date) -> [DeviceStateAction] {
        guard newState != state else { return [] }
        state = newState
        since = time
        return [.publishDeviceList]
    }
}
