/// End-to-end latency at a moderate fixed rate (1,000 msg/s over 10 clients), straight to mosquitto and then through
/// the bridge in the same run; the bridge's added latency is the difference of the two distributions' percentiles.
///
/// Target: added p99 under 1 ms.
struct LatencyScenario {
    let context: BenchContext
    let clients = 10
    let rate = 1_000.0

    func run() async throws {
        for qos in context.options.qosLevels {
            context.progress("latency: QoS \(qos), \(Int(rate)) msg/s straight to mosquitto (baseline)")
            let direct = try await ClientFleet.connectDirect(count: clients, context: context)
            let baseline = try await measure(publishers: direct, qos: qos, bridge: nil)
            await ClientFleet.close(direct)
            context.report(baseline)

            context.progress("latency: QoS \(qos), \(Int(rate)) msg/s through snbridge")
            let bridge = try await BridgeProcess.start(executable: context.options.snbridgePath, brokerPort: context.broker.port)
            do {
                let publishers = try await ClientFleet.connectSN(count: clients, bridge: bridge, context: context)
                var result = try await measure(publishers: publishers, qos: qos, bridge: bridge)
                if let bridged = result.latencyP99Microseconds, let direct = baseline.latencyP99Microseconds,
                    let bridged50 = result.latencyP50Microseconds, let direct50 = baseline.latencyP50Microseconds
                {
                    let added = bridged - direct
                    result.target = "added p99 < 1000 µs: \(ResultTable.format(added, decimals: 0)) µs "
                        + "(p50 +\(ResultTable.format(bridged50 - direct50, decimals: 0)) µs)"
                    result.targetMet = added < 1_000
                }
                context.report(result)
                await ClientFleet.close(publishers)
            } catch {
                await bridge.stop()
                throw error
            }
            await bridge.stop()
        }
    }

    private func measure(publishers: [any LoadPublisher], qos: Int, bridge: BridgeProcess?) async throws -> ScenarioResult {
        let run = PublishRun(runID: context.makeRunID(), qos: qos, payloadSize: 32, mode: .paced, window: 512)
        let measurement = LoadMeasurement(
            context: context,
            publishers: publishers,
            run: run,
            offeredRate: rate,
            bridge: bridge,
            seconds: context.options.latencySeconds,
            warmupSeconds: context.options.warmupSeconds
        )
        return try await measurement.measure(scenario: "latency", path: bridge == nil ? "direct" : "bridge")
    }
}
