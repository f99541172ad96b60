/// What one session adds to the gateway's gauges (``GatewayGauges``): its reported state, whether it waits for
/// the broker, and its queue depths. A session no longer in the gateway's table adds ``uncounted``.
///
/// ``ClientSession/gaugeShare`` holds the share last added, so that a change is applied as the difference.
struct GatewayGaugeShare: Sendable, Hashable {
    /// The session's state as the gauges count it; `nil` for a session that is not counted.
    var state: GatewaySessionSnapshot.State?
    var awaitingUpstream = false
    /// Broker messages waiting for delivery, the one in flight included: downlink queue while awake, sleep buffer
    /// while asleep.
    var pendingDeliveries = 0
    var upstreamInFlight = 0

    /// The share of a session that is not counted.
    static let uncounted = GatewayGaugeShare(state: nil)
}
