extension ClientSession {
    /// The session's state as ``GatewaySessionSnapshot`` reports it.
    var reportedState: GatewaySessionSnapshot.State {
        switch self.machine.state {
        case .awaitingWillTopic, .awaitingWillMessage, .connectingUpstream: .connecting
        case .active: .connected
        case .asleep: .asleep
        case .awake: .awake
        case .disconnected, .closed: .lost
        }
    }

    /// The session now; `state` overrides its own (a session being removed is reported `lost`).
    func snapshot(state: GatewaySessionSnapshot.State? = nil) -> GatewaySessionSnapshot {
        GatewaySessionSnapshot(
            clientID: self.clientID,
            address: self.address,
            state: state ?? self.reportedState,
            topicCount: self.machine.registry.count,
            pendingMessages: self.machine.pendingDeliveries,
            upstreamInFlight: self.machine.publishingUpstream.count,
            messagesIn: self.messagesIn,
            messagesOut: self.messagesOut,
            lastHeard: self.machine.lastHeard
        )
    }
}
