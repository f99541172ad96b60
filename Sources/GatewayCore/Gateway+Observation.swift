import NIOCore

extension Gateway {
    /// Every session change from now on: created, state changed (connecting, connected, asleep, awake) and ended,
    /// in order. One consumer at a time: a second call ends the first stream. The stream ends at ``shutdown()``.
    /// Events beyond ``GatewaySessionEventSink/bufferLimit`` waiting for a slow consumer are dropped, oldest first,
    /// and counted as `session_event_overflow`.
    public func sessionEvents() async -> AsyncStream<GatewaySessionEvent> {
        let engine = self.engine
        let stream = try? await engine.eventLoop.submit { engine.sessionEvents.makeStream() }.get()
        return stream ?? AsyncStream { $0.finish() }
    }

    /// The gauges now: sessions by state, queue depths, and the counters. They are kept up to date as sessions
    /// change, so this costs one hop to the gateway's event loop, not a walk over its sessions.
    public func observation() async -> GatewayObservation {
        let engine = self.engine
        return (try? await engine.eventLoop.submit { engine.observation() }.get()) ?? GatewayObservation()
    }

    /// The gauges as kept and as counted afresh by walking every session, taken at the same moment: they agree
    /// unless the bookkeeping missed a change (tests check this).
    func observationAndRecount() async -> (kept: GatewayObservation, recounted: GatewayObservation)? {
        let engine = self.engine
        return try? await engine.eventLoop.submit {
            (kept: engine.observation(), recounted: engine.recountedObservation())
        }.get()
    }

    /// One page of ``sessions()``: `limit` sessions from `offset` on, in the same order, and how many there are.
    /// Only the sessions on the page are looked at (the order is kept between changes of the session table).
    public func sessions(offset: Int, limit: Int) async -> GatewaySessionPage {
        let engine = self.engine
        return (try? await engine.eventLoop.submit { engine.snapshot(offset: offset, limit: limit) }.get())
            ?? GatewaySessionPage(total: 0, sessions: [])
    }
}

extension GatewayEngine {
    /// The gauges as kept (``gauges``): no walk over the sessions.
    func observation() -> GatewayObservation {
        Self.observation(of: self.gauges, statistics: self.metrics.statistics)
    }

    /// The gauges counted afresh by walking every session, for checking ``observation()``.
    func recountedObservation() -> GatewayObservation {
        Self.observation(of: self.recountedGauges(), statistics: self.metrics.statistics)
    }

    static func observation(of gauges: GatewayGauges, statistics: GatewayStatistics) -> GatewayObservation {
        var observation = GatewayObservation()
        for state in GatewayGauges.countedStates {
            let count = gauges.sessions(in: state)
            if count > 0 { observation.sessionsByState[state] = count }
        }
        observation.downlinkQueued = gauges.downlinkQueued
        observation.sleepBuffered = gauges.sleepBuffered
        observation.awaitingUpstream = gauges.awaitingUpstream
        observation.upstreamInFlight = gauges.upstreamInFlight
        observation.statistics = statistics
        return observation
    }
}
