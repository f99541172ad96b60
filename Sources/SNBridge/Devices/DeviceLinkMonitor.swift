import GatewayCore
import MQTTSNTransport
import NIOCore

/// Samples what is not reported as events: each open link's frame counters and the state of the MQTT-SN client
/// on each device, from ``Gateway/sessions()``, and feeds them to the ``DeviceRegistry``.
struct DeviceLinkMonitor: Sendable {
    let gateway: Gateway
    let supervisor: SerialPortSupervisor
    let registry: DeviceRegistry
    /// How often counters and client states are sampled.
    let sampleInterval: Duration
    /// How often the device list is republished when only counters changed.
    let listInterval: TimeAmount

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
        if !connections.isEmpty {
            let sessions = await gateway.sessions()
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
        registry.publishListIfChanged(every: listInterval)
    }
}
