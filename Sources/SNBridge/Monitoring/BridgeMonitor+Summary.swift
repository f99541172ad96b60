extension BridgeMonitor {
    /// The one-line summary systemd's `STATUS=` and the status page show:
    /// `broker connected; 12 sessions; 3 boards linked; 9 devices online`.
    func summary() async -> String {
        let observation = await gateway.observation()
        let sessions = observation.sessionsByState.values.reduce(0, +)
        return Self.summary(
            broker: await health().broker,
            sessions: sessions,
            devices: registry.records()
        )
    }

    static func summary(broker: HealthReport.Broker, sessions: Int, devices: [DeviceRecord]) -> String {
        let boards = devices.filter { $0.origin != .udp && $0.link == "linked" }.count
        let online = devices.filter { $0.online == true }.count
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
