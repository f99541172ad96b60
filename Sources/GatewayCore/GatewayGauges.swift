/// The gateway's gauges kept up to date as sessions change, so that reading them costs nothing whatever the
/// number of sessions: sessions by state, sessions awaiting the broker, and the queue depths.
///
/// Only used on the gateway's event loop. The engine adds each session's change as the difference between its
/// new ``GatewayGaugeShare`` and the one it added last (``GatewayEngine/updateGauges(of:)``);
/// ``GatewayEngine/recountedGauges()`` walks every session instead, which tests compare against.
struct GatewayGauges: Sendable, Hashable {
    /// Live sessions by state, indexed by ``index(of:)``.
    private var byState = [0, 0, 0, 0]
    var awaitingUpstream = 0
    var downlinkQueued = 0
    var sleepBuffered = 0
    var upstreamInFlight = 0

    /// The states counted: a lost session is not in the table any more.
    static let countedStates: [GatewaySessionSnapshot.State] = [.connecting, .connected, .asleep, .awake]

    private static func index(of state: GatewaySessionSnapshot.State) -> Int? {
        switch state {
        case .connecting: 0
        case .connected: 1
        case .asleep: 2
        case .awake: 3
        case .lost: nil
        }
    }

    /// Sessions in `state` (0 for `lost`).
    func sessions(in state: GatewaySessionSnapshot.State) -> Int {
        Self.index(of: state).map { byState[$0] } ?? 0
    }

    /// Replaces what one session added (`old`) by its share now (`new`).
    mutating func replace(_ old: GatewayGaugeShare, with new: GatewayGaugeShare) {
        add(old, sign: -1)
        add(new, sign: 1)
    }

    mutating func add(_ share: GatewayGaugeShare, sign: Int) {
        guard let state = share.state, let index = Self.index(of: state) else { return }
        byState[index] += sign
        if share.awaitingUpstream { awaitingUpstream += sign }
        if state == .asleep {
            sleepBuffered += sign * share.pendingDeliveries
        } else {
            downlinkQueued += sign * share.pendingDeliveries
        }
        upstreamInFlight += sign * share.upstreamInFlight
    }
}
