import GatewayCore
import MQTTSNTransport
import NIOCore

/// Samples what is not reported as events: each open link's frame counters, the state of the MQTT-SN client on each
/// device and every session's message counters, from ``Gateway/sessions()``, and feeds them to the
/// ``DeviceRegistry``; it also forgets UDP sensors gone longer than `status.forget_after`.
struct DeviceLinkMonitor: Sendable {
    let gateway: Gateway
    let supervisor: SerialPortSupervisor
    let registry: DeviceRegistry
    /// How often counters and client states are sampled.
    let sampleInterval: Duration
    /// Whether UDP sessions are sampled too (`status.udp_devices`); otherwise only serial ones are looked at, so a
    /// fleet of UDP sensors costs the sample nothing.
    let samplesUDPSessions: Bool
    /// How often the device list is republished when only counters changed.
    let listInterval: TimeAmount
    /// How long a UDP sensor that left stays listed.
    let forgetAfter: TimeAmount

    /// Samples until the task is cancelled.
    func run() async {
        while !Task.isCancelled {
            await sample()
            try? await Task.sleep(for: sampleInterval)
        }
    }

    /// One sample of every open link.
    func sample() async {
        let connections = supervisor.openConnections()
        let sessions = await self.samplesUDPSessions ? gateway.sessions() : gateway.serialSessions()
        registry.sessionsSampled(sessions)
        if !connections.isEmpty {
            for (path, connection) in connections {
                let counters = try? await connection.counters().get()
                let session = sessions.first { session in
                    guard case .serial(let device, nil) = session.address, device == path else { return false }
                    return session.state != .lost
                }
                let client = session.flatMap { session in
                    DeviceClientState(session.state).map { DeviceRecord.Client(id: session.clientID, state: $0) }
                }
                registry.observe(path: path, linkCounters: counters.map(LinkCounterSample.init), client: client)
            }
        }
        registry.forgetDeparted(after: forgetAfter)
        registry.publishListIfChanged(every: listInterval)
    }
}
