/// What one scenario measured; printed as one JSON line and as a row of the final table.
///
/// Fields a scenario does not measure stay nil and are left out of the JSON.
struct ScenarioResult: Codable, Sendable {
    var scenario: String
    var path: String = "bridge"  // "bridge", "direct" (baseline straight to mosquitto) or "serial"
    var clients: Int?
    var qos: Int?
    var payloadBytes: Int?
    var mode: String?
    var window: Int?
    var offeredPerSecond: Double?
    var seconds: Double?

    var sent: Int?
    var received: Int?
    var acknowledged: Int?
    var rejected: Int?
    var shed: Int?
    var lost: Int?
    /// Datagrams the kernel dropped at the bridge's UDP socket (part of `lost`).
    var droppedAtBridgeSocket: Int?
    /// Messages mosquitto reports having dropped during the run (part of `lost`, not the bridge's doing).
    var droppedByBroker: Int?
    var deliveredPerSecond: Double?

    var latencyP50Microseconds: Double?
    var latencyP99Microseconds: Double?
    var latencyMaxMicroseconds: Double?
    var latencySamples: Int?

    /// Share of one core, averaged over the measurement window.
    var bridgeCPU: Double?
    var brokerCPU: Double?
    var benchCPU: Double?
    /// /proc/loadavg's one-minute figure when the measurement ended: the machine is shared with other builds.
    var machineLoad: Double?
    var bridgeResidentBytes: Int?

    // Connection scale.
    var connectSeconds: Double?
    var bridgeResidentBeforeBytes: Int?
    var bytesPerSession: Double?
    var failedClients: Int?

    // Serial.
    var framesPerSecond: Double?
    var cpuMicrosecondsPerFrame: Double?

    /// The target this row is judged against, with the figure compared.
    var target: String?
    var targetMet: Bool?
    var note: String?
}

extension ScenarioResult {
    /// Sets the latency fields from `histogram`.
    mutating func apply(_ histogram: LatencyHistogram) {
        latencyP50Microseconds = histogram.percentileMicroseconds(0.50)
        latencyP99Microseconds = histogram.percentileMicroseconds(0.99)
        latencyMaxMicroseconds = histogram.maximumMicroseconds
        latencySamples = histogram.count
    }

    /// Sets the bridge's and the broker's share of a core over the window from samples at its start and end, the
    /// bridge's resident memory at its end, and the machine's load.
    mutating func apply(
        bridge bridgeStart: ProcessSample?,
        _ bridgeEnd: ProcessSample?,
        broker brokerStart: ProcessSample?,
        _ brokerEnd: ProcessSample?
    ) {
        if let start = bridgeStart, let end = bridgeEnd {
            bridgeCPU = end.coreShare(since: start)
            bridgeResidentBytes = end.residentBytes
        }
        if let start = brokerStart, let end = brokerEnd { brokerCPU = end.coreShare(since: start) }
        machineLoad = MachineLoad.oneMinuteAverage()
    }
}
