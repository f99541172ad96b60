/// The gateway's gauges at one moment, for `/metrics` and the status page: sessions by state and queue depths.
public struct GatewayObservation: Sendable, Hashable {
    /// Live sessions by state (`connecting`, `connected`, `asleep`, `awake`; `lost` is never counted).
    public var sessionsByState: [GatewaySessionSnapshot.State: Int] = [:]
    /// Broker messages waiting for delivery to clients that are awake (the downlink queues).
    public var downlinkQueued = 0
    /// Broker messages buffered for sleeping clients.
    public var sleepBuffered = 0
    /// Client QoS 1/2 messages published upstream and not yet acknowledged by the broker.
    public var upstreamInFlight = 0
    /// Sessions waiting for the broker to accept their upstream connection.
    public var awaitingUpstream = 0
    /// The gateway's counters.
    public var statistics = GatewayStatistics()

    public init() {}
}
