extension BridgeMonitor {
    /// The one-line summary systemd's `STATUS=` and the status page show:
    /// `broker connected; 12 sessions; 3 boards linked; 9 devices online`.
    func summary() async -> String {
        let observation = await gateway.observation()
        let sessions = observation.sessionsByState.values.reduce(0, +)
        return Self.summary(
            broker: await health().broker,
            sessions: sessions,
            devices: registry.tally()
        )
    }

    static func summary(broker: HealthReport.Broker, sessions: Int, devices: DeviceTally) -> String {
        let boards = devices.boardsLinked
        let online = devices.online
        let brokerText =
            switch broker {
            case .connected: "broker connected"
            case .disconnected: "broker disconnected"
            case .unmonitored: "broker not monitored"
            }
        return "\(brokerText); \(sessions) \(sessions == 1 ? "session" : "sessions"); "
            + "\(boards) \(boards == 1 ? "board" : "boards") linked; \(online) \(online == 1 ? "device" : "devices") online"
    }
}
