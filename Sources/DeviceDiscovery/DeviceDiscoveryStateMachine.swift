/// The bookkeeping between what udev says and what discovery reports: which devices are known by syspath, so that
/// a device seen by both the initial scan and a queued monitor event is reported once, a removal of an unknown device
/// is ignored, and a device that stops matching is reported removed.
///
/// The monitor is created before the scan, so events for devices plugged in during the scan wait in its socket and
/// are fed in after ``enumerationFinished()``; they may repeat what the scan already saw.
struct DeviceDiscoveryStateMachine {
    enum State {
        case enumerating(known: [String: DiscoveredSerialDevice])
        case monitoring(known: [String: DiscoveredSerialDevice])
        case stopped
    }

    /// What the caller must do after an input.
    enum Action: Hashable {
        /// Nothing to report.
        case none
        /// Report the event.
        case report(DeviceDiscoveryEvent)
        /// Report nothing more and end the event stream.
        case finish
    }

    private(set) var state: State = .enumerating(known: [:])

    /// The devices currently reported as present, by syspath.
    var knownDevices: [String: DiscoveredSerialDevice] {
        switch state {
        case .enumerating(let known), .monitoring(let known): known
        case .stopped: [:]
        }
    }

    /// The initial scan found a tty; `device` is `nil` when no rule matched it.
    mutating func deviceEnumerated(syspath: String, device: DiscoveredSerialDevice?) -> Action {
        guard case .enumerating(var known) = state else { return .none }
        guard let device, known[syspath] == nil else { return .none }
        known[syspath] = device
        state = .enumerating(known: known)
        return .report(.added(device))
    }

    /// The initial scan is done; monitor events follow.
    mutating func enumerationFinished() -> Action {
        guard case .enumerating(let known) = state else { return .none }
        state = .monitoring(known: known)
        return .report(.enumerationCompleted)
    }

    /// The monitor delivered an event; `device` is the matched description, `nil` when no rule matched it. Removals
    /// are decided by syspath alone and report the description the device was added with.
    mutating func monitorEvent(_ action: UdevAction, syspath: String, device: DiscoveredSerialDevice?) -> Action {
        guard case .monitoring(var known) = state else { return .none }
        let previous = known[syspath]
        let result: Action
        switch (action, previous, device) {
        case (.remove, .some(let previous), _):
            known[syspath] = nil
            result = .report(.removed(previous))
        case (.remove, .none, _):
            result = .none
        case (.add, .none, .some(let device)), (.change, .none, .some(let device)):
            known[syspath] = device
            result = .report(.added(device))
        case (.add, .some(let previous), .some(let device)), (.change, .some(let previous), .some(let device)):
            if previous == device {
                result = .none
            } else {
                known[syspath] = device
                result = .report(.changed(device))
            }
        case (.add, .some(let previous), .none), (.change, .some(let previous), .none):
            // The device is still there but no rule selects it any more (its udev properties changed).
            known[syspath] = nil
            result = .report(.removed(previous))
        case (.add, .none, .none), (.change, .none, .none):
            result = .none
        case (.move, _, _), (.bind, _, _), (.unbind, _, _), (.online, _, _), (.offline, _, _), (.other, _, _):
            // ttys are not renamed or rebound in place; their USB parents are, and those are not in the tty filter.
            result = .none
        }
        state = .monitoring(known: known)
        return result
    }

    /// Discovery is stopping: nothing more is reported.
    mutating func stop() -> Action {
        if case .stopped = state { return .none }
        state = .stopped
        return .finish
    }
}
