import NIOCore

/// How long a serial device's MQTT-SN sessions outlive its link (`serial.session_grace`, by default the port's
/// `link_keepalive`), per port. A plain value: the supervisor feeds it link events with the time and carries out
/// what it returns.
///
/// ```
///  linked --link down (HELLO while linked, RESET, silence)--> grace --same device links again--> linked (sessions kept)
///                                                               |
///                      grace runs out, port closes, or another device id links --> sessions lost, wills fire
///  linked --port closed--> sessions lost at once (an unplugged board is gone, not glitching)
/// ```
///
/// Only the device that had the sessions may continue them: a HELLO with another device id on the same port ends
/// them first.
struct SerialSessionGrace: Sendable {
    /// What to do with the device's sessions.
    enum Action: Equatable, Sendable {
        /// Nothing changes.
        case none
        /// Keep the sessions; lose them when `deadline` passes unless ``linkUp(path:deviceID:now:)`` came first.
        /// `generation` tells this grace period from a later one on the same port.
        case keepUntil(NIODeadline, generation: Int)
        /// The device linked again within the grace period: its sessions continue.
        case resumed
        /// Lose the sessions now (the broker publishes the wills).
        case loseSessions
    }

    private struct Waiting: Sendable {
        var deviceID: [UInt8]?
        var deadline: NIODeadline
        var generation: Int
    }

    /// The device id last linked on each port.
    private var linkedDevice: [String: [UInt8]] = [:]
    private var waiting: [String: Waiting] = [:]
    private var nextGeneration = 0

    /// A device on `path` linked (HELLO accepted).
    mutating func linkUp(path: String, deviceID: [UInt8], now: NIODeadline) -> Action {
        let previous = self.linkedDevice.updateValue(deviceID, forKey: path)
        guard let waiting = self.waiting.removeValue(forKey: path) else {
            // First link on the port, or a relink the link layer reported without a loss: nothing to keep or end,
            // unless another board took the port over.
            if let previous, previous != deviceID { return .loseSessions }
            return .none
        }
        return waiting.deviceID == deviceID && now < waiting.deadline ? .resumed : .loseSessions
    }

    /// The link on `path` went down while its port stays open.
    mutating func linkDown(path: String, grace: TimeAmount, now: NIODeadline) -> Action {
        guard grace > .zero else {
            self.waiting[path] = nil
            return .loseSessions
        }
        self.nextGeneration += 1
        let deadline = now + grace
        self.waiting[path] = Waiting(
            deviceID: self.linkedDevice[path],
            deadline: deadline,
            generation: self.nextGeneration
        )
        return .keepUntil(deadline, generation: self.nextGeneration)
    }

    /// The grace period `generation` on `path` ran out.
    mutating func deadlinePassed(path: String, generation: Int) -> Action {
        guard let waiting = self.waiting[path], waiting.generation == generation else { return .none }
        self.waiting[path] = nil
        return .loseSessions
    }

    /// The port closed: whatever was waiting is over, and so are the sessions.
    mutating func portClosed(path: String) -> Action {
        self.waiting[path] = nil
        self.linkedDevice[path] = nil
        return .loseSessions
    }
}
