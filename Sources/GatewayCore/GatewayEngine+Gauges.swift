extension GatewayEngine {
    /// Brings ``gauges`` up to date with what `session` adds to them now. Called after every action the engine
    /// performs for a session, after a broker message is queued and when a session leaves the table: the places
    /// where its state and queues change. Cheap when nothing changed (no lookup, no allocation).
    func updateGauges(of session: ClientSession) {
        var share = GatewayGaugeShare(
            state: session.reportedState,
            awaitingUpstream: session.machine.state == .connectingUpstream,
            pendingDeliveries: session.machine.pendingDeliveries,
            upstreamInFlight: session.machine.publishingUpstream.count
        )
        guard share != session.gaugeShare else { return }
        // Only sessions in the table are counted: a removed or kept one adds nothing, however its machine moves.
        if share.state == .lost || !self.isCurrent(session) {
            share = .uncounted
            guard share != session.gaugeShare else { return }
        }
        self.gauges.replace(session.gaugeShare, with: share)
        session.gaugeShare = share
    }

    /// The gauges counted afresh by walking every session: what ``gauges`` must equal.
    func recountedGauges() -> GatewayGauges {
        var gauges = GatewayGauges()
        for session in self.sessions.values {
            let state = session.reportedState
            guard state != .lost else { continue }
            gauges.add(
                GatewayGaugeShare(
                    state: state,
                    awaitingUpstream: session.machine.state == .connectingUpstream,
                    pendingDeliveries: session.machine.pendingDeliveries,
                    upstreamInFlight: session.machine.publishingUpstream.count
                ),
                sign: 1
            )
        }
        return gauges
    }
}
