import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Every device the bridge knows, discovered or configured, each with its ``DeviceStateMachine``, counters and
/// last-seen time.
///
/// Inputs come from the serial supervisor (opening, link up/down, gone) and the link monitor (counters, MQTT-SN
/// client state). Each input runs the device's state machine and hands the resulting ``StatusPublication``s to
/// `publish` while still holding the lock, so that announcements reach the broker in the order the transitions
/// happened (`offline` can never overtake the `online` before it).
public final class DeviceRegistry: Sendable {
    struct Entry: Sendable {
        var descriptor: DeviceDescriptor
        var machine: DeviceStateMachine
        var counters = DeviceCounters()
        /// Counters of the link sessions before the current one, which restart from zero on every open.
        var countersBeforeCurrentLink = DeviceCounters()
        var lastSeen: Date?
        var helloID: String?
        var firmware: String?
        var client: DeviceRecord.Client?
        /// The device's last console lines, oldest first (at most ``DeviceRegistry/consoleLimit``).
        var console: [String] = []
    }

    /// How many console lines per device are kept for the status page.
    static let consoleLimit = 20

    struct State: Sendable {
        var entries: [String: Entry] = [:]
        var idsByPath: [String: String] = [:]
        var countersChanged = false
        var lastListPublication: Date = .distantPast
        /// Devices by state, online and linked boards, kept as entries change (``DeviceTally``).
        var tally = DeviceTally()
        /// The ids of ``entries`` in list order (boards first, then UDP sensors, each by id), for paging; `nil`
        /// after a device was added or removed.
        var order: [String]?
    }

    let state = NIOLockedValueBox(State())
    let publish: @Sendable (StatusPublication) -> Void
    let now: @Sendable () -> Date
    let logger: Logger
    /// Whether UDP clients are devices (`status.udp_devices`); otherwise their session events are not followed.
    public let listsUDPDevices: Bool

    /// - Parameters:
    ///   - publish: called with each announcement, in order, under the registry's lock: it must not block or call
    ///     back into the registry.
    ///   - listsUDPDevices: `status.udp_devices`: whether every UDP client is a device of its own.
    ///   - now: the clock (tests pass a fixed one).
    public init(
        logger: Logger,
        listsUDPDevices: Bool = true,
        now: @escaping @Sendable () -> Date = { Date() },
        publish: @escaping @Sendable (StatusPublication) -> Void
    ) {
        self.logger = logger
        self.listsUDPDevices = listsUDPDevices
        self.now = now
        self.publish = publish
    }

    /// Every device, sorted by id.
    public func records() -> [DeviceRecord] {
        state.withLockedValue { Self.records(of: $0) }
    }

    /// The last console lines of every device that printed any, oldest first.
    public func consoleLines() -> [String: [String]] {
        state.withLockedValue { state in
            state.entries.compactMapValues { $0.console.isEmpty ? nil : $0.console }
        }
    }

    /// The id of the device at `path`, if one is tracked there.
    public func deviceID(forPath path: String) -> String? {
        state.withLockedValue { $0.idsByPath[path] }
    }

    /// A device is there: discovered, re-added (perhaps at another path), or a configured port at start.
    public func appeared(_ descriptor: DeviceDescriptor) {
        update(id: descriptor.id, creating: descriptor) { entry, time in
            entry.machine.appeared(at: time)
        }
    }

    /// The bridge starts opening the device's tty.
    public func openingStarted(id: String) {
        update(id: id) { entry, time in
            entry.countersBeforeCurrentLink = entry.counters
            entry.counters.opens += 1
            return entry.machine.openingStarted(at: time)
        }
    }

    /// The tty is open, waiting for the device's HELLO.
    public func portOpened(id: String) {
        update(id: id) { entry, time in entry.machine.portOpened(at: time) }
    }

    /// The tty could not be opened.
    public func openFailed(id: String, reason: String) {
        update(id: id) { entry, time in entry.machine.openFailed(reason: reason, at: time) }
    }

    /// The serial link on `path` came up; `helloID` and `firmware` are what the device said in its HELLO.
    public func linkUp(path: String, helloID: String?, firmware: String?) {
        update(path: path) { entry, time in
            let actions = entry.machine.linkUp(at: time)
            if !actions.isEmpty {
                entry.helloID = helloID ?? entry.helloID
                entry.firmware = firmware ?? entry.firmware
                entry.lastSeen = time
                entry.counters.relinks = max(0, entry.machine.linkUps - 1)
            }
            return actions
        }
    }

    /// The device on `path` sent a HELLO the bridge refused.
    public func linkRefused(path: String, reason: String) {
        update(path: path) { entry, time in entry.machine.linkRefused(reason: reason, at: time) }
    }

    /// The link on `path` went down while the tty stays open.
    public func linkDown(path: String, reason: String) {
        update(path: path) { entry, time in
            entry.client = nil
            return entry.machine.linkDown(reason: reason, at: time)
        }
    }

    /// The device's tty closed or udev removed it.
    public func gone(id: String, reason: String) {
        update(id: id) { entry, time in
            entry.client = nil
            return entry.machine.gone(reason: reason, at: time)
        }
    }

    /// A console line from the device on `path`.
    public func consoleLine(path: String, line: String, toMQTT: Bool) {
        state.withLockedValue { state in
            guard let id = state.idsByPath[path], state.entries[id] != nil else { return }
            state.entries[id]!.counters.consoleLines += 1
            state.entries[id]!.console.append(line)
            if state.entries[id]!.console.count > Self.consoleLimit { state.entries[id]!.console.removeFirst() }
            state.entries[id]!.lastSeen = now()
            state.countersChanged = true
            if toMQTT { publish(.console(deviceID: id, line: line)) }
        }
    }

    /// What the link monitor measured for the device on `path`: the link's frame counters (since it opened) and
    /// the device's own MQTT-SN client, if it has a live session.
    public func observe(path: String, linkCounters: LinkCounterSample?, client: DeviceRecord.Client?) {
        update(path: path) { entry, time in
            if let linkCounters {
                let before = entry.counters
                entry.counters.framesIn = entry.countersBeforeCurrentLink.framesIn + linkCounters.framesIn
                entry.counters.framesOut = entry.countersBeforeCurrentLink.framesOut + linkCounters.framesOut
                entry.counters.badFrames = entry.countersBeforeCurrentLink.badFrames + linkCounters.badFrames
                if entry.counters.framesIn != before.framesIn { entry.lastSeen = time }
            }
            entry.client = client
            return entry.machine.clientObserved(client?.state, at: time)
        }
    }

    /// Republishes the device list when counters or clients changed and `interval` passed since the last time.
    public func publishListIfChanged(every interval: TimeAmount) {
        state.withLockedValue { state in
            let time = now()
            let elapsed = time.timeIntervalSince(state.lastListPublication)
            guard state.countersChanged, elapsed * 1e9 >= Double(interval.nanoseconds) else { return }
            state.countersChanged = false
            state.lastListPublication = time
            publish(.deviceList(Self.records(of: state)))
        }
    }

    // MARK: Implementation

    func update(path: String, _ body: (inout Entry, Date) -> [DeviceStateAction]) {
        guard let id = deviceID(forPath: path) else { return }
        update(id: id, body)
    }

    /// Runs `body` on the device's entry and announces what it returned. With `listNow: false` a changed device
    /// list waits for ``publishListIfChanged(every:)`` (UDP sensors: thousands joining must not each republish
    /// the whole list).
    func update(
        id: String,
        creating descriptor: DeviceDescriptor? = nil,
        listNow: Bool = true,
        _ body: (inout Entry, Date) -> [DeviceStateAction]
    ) {
        state.withLockedValue { state in
            let time = now()
            var actions: [DeviceStateAction] = []
            let shareBefore = state.entries[id].map(\.tallyShare)
            defer { state.tally.replace(shareBefore, with: state.entries[id].map(\.tallyShare)) }
            if var entry = state.entries[id] {
                let countersBefore = entry.counters
                let clientBefore = entry.client
                if let descriptor, descriptor != entry.descriptor {
                    if state.idsByPath[entry.descriptor.path] == id { state.idsByPath[entry.descriptor.path] = nil }
                    if descriptor.origin != entry.descriptor.origin { state.order = nil }
                    entry.descriptor = descriptor
                    actions.append(.publishDeviceList)
                }
                actions += body(&entry, time)
                if entry.counters != countersBefore || entry.client != clientBefore {
                    state.countersChanged = true
                }
                state.entries[id] = entry
            } else if let descriptor {
                var entry = Entry(descriptor: descriptor, machine: DeviceStateMachine(at: time))
                actions = [.publishDeviceList] + body(&entry, time)
                state.entries[id] = entry
                state.order = nil
            } else {
                return
            }
            let entry = state.entries[id]!
            state.idsByPath[entry.descriptor.path] = id
            guard !actions.isEmpty else { return }
            log(entry, actions: actions)
            var listPublished = false
            for action in actions {
                switch action {
                case .publishAvailability(let online):
                    publish(.availability(deviceID: id, online: online))
                case .publishEvent(let kind, let reason):
                    let descriptor = entry.descriptor
                    publish(
                        .event(
                            DeviceEventMessage(
                                event: kind,
                                device: id,
                                path: descriptor.path,
                                usbID: descriptor.usbID,
                                reason: reason,
                                time: time
                            )
                        )
                    )
                case .publishDeviceList:
                    guard listNow else {
                        state.countersChanged = true
                        continue
                    }
                    guard !listPublished else { continue }
                    listPublished = true
                    state.countersChanged = false
                    state.lastListPublication = time
                    publish(.deviceList(Self.records(of: state)))
                }
            }
        }
    }

    private func log(_ entry: Entry, actions: [DeviceStateAction]) {
        var metadata: Logger.Metadata = [
            "device.id": "\(entry.descriptor.id)",
            "device.path": "\(entry.descriptor.path)",
            "device.state": "\(entry.machine.state.name)",
        ]
        if case .error(let reason) = entry.machine.state { metadata["device.error"] = "\(reason)" }
        if let usbID = entry.descriptor.usbID { metadata["usb.id"] = "\(usbID)" }
        if actions.contains(.publishAvailability(online: true)) {
            logger.info("Device online", metadata: metadata)
        } else if actions.contains(.publishAvailability(online: false)) {
            logger.info("Device offline", metadata: metadata)
        } else {
            logger.debug("Device state changed", metadata: metadata)
        }
    }

    private static func records(of state: State) -> [DeviceRecord] {
        state.entries.values.map(\.record).sorted { $0.id < $1.id }
    }
}
