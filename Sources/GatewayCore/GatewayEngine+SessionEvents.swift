extension GatewayEngine {
    /// Reports the session's state when it differs from the one last reported. Called after every action the
    /// engine performs for a session, which is where states change.
    func reportStateChange(of session: ClientSession) {
        // Cheapest test first: this runs after every action on the hot path.
        guard self.sessionEvents.isActive else { return }
        let state = session.reportedState
        guard state != session.lastReportedState, self.isCurrent(session) else { return }
        session.lastReportedState = state
        self.deliver(GatewaySessionEvent(session: session.snapshot(state: state)))
    }

    /// Reports that the session was removed, and why.
    func sessionEnded(_ session: ClientSession, reason: String) {
        guard self.sessionEvents.isActive else { return }
        session.lastReportedState = .lost
        self.deliver(GatewaySessionEvent(session: session.snapshot(state: .lost), endReason: reason))
    }

    private func deliver(_ event: GatewaySessionEvent) {
        if !self.sessionEvents.yield(event) {
            self.metrics.dropped("session_event_overflow")
        }
    }
}
