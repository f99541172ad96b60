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

    /// The gauges now: sessions by state, queue depths, and the counters.
    public func observation() async -> GatewayObservation {
        let engine = self.engine
        return (try? await engine.eventLoop.submit { engine.observation() }.get()) ?? GatewayObservation()
    }
}

extension GatewayEngine {
    func observation() -> GatewayObservation {
        var observation = GatewayObservation()
        for session in self.sessions.values {
            let state = session.reportedState
            observation.sessionsByState[state, default: 0] += 1
            if state == .asleep {
                observation.sleepBuffered += session.machine.pendingDeliveries
            } else {
                observation.downlinkQueued += session.machine.pendingDeliveries
            }
            if session.machine.state == .connectingUpstream { observation.awaitingUpstream += 1 }
            observation.upstreamInFlight += session.machine.publishingUpstream.count
        }
        observation.statistics = self.metrics.statistics
        return observation
    }
}
