/// The device gauges, kept up to date by the ``DeviceRegistry`` as devices change state, so that `/metrics`, the
/// status page and systemd's `STATUS=` read them without walking the devices: devices by link state, how many are
/// online, and how many boards (serial devices) are linked.
struct DeviceTally: Sendable, Hashable {
    /// What one device adds to the tally.
    struct Share: Sendable, Hashable {
        var state: String
        var online: Bool
        var boardLinked: Bool

        init(state: DeviceLinkState, origin: DeviceOrigin) {
            self.state = state.name
            self.online = state.isOnline
            self.boardLinked = origin != .udp && state.isLinkUp
        }

        init(_ record: DeviceRecord) {
            state = record.state
            online = record.online == true
            boardLinked = record.origin != .udp && record.link == "linked"
        }
    }

    /// Devices by ``DeviceLinkState/name``; a state no device is in may be missing.
    private(set) var byState: [String: Int] = [:]
    private(set) var total = 0
    private(set) var online = 0
    private(set) var boardsLinked = 0

    init() {}

    /// The tally of `records`, counted afresh.
    init(counting records: [DeviceRecord]) {
        for record in records { add(Share(record), sign: 1) }
    }

    /// Devices in `state` (0 when none).
    func devices(in state: String) -> Int { byState[state] ?? 0 }

    mutating func replace(_ old: Share?, with new: Share?) {
        guard old != new else { return }
        if let old { add(old, sign: -1) }
        if let new { add(new, sign: 1) }
    }

    private mutating func add(_ share: Share, sign: Int) {
        total += sign
        byState[share.state, default: 0] += sign
        if byState[share.state] == 0 { byState[share.state] = nil }
        if share.online { online += sign }
        if share.boardLinked { boardsLinked += sign }
    }
}
