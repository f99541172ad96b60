/// The QoS 1 throughput target, measured robustly: 25 clients, closed loop, 32-byte payloads, straight to mosquitto
/// and through the bridge in alternation (both fleets stay connected), several rounds; the target is judged on the
/// median of the rounds' ratios, because a single pair of 5-second windows on a shared 2-core machine moves by ±30%.
///
/// Target: bridged throughput at least 80% of direct.
struct QoS1RatioScenario {
    let context: BenchContext
    let clients = 25

    func run() async throws {
        let rounds = context.options.quick ? 2 : 5
        context.progress("qos1-ratio: \(clients) clients, \(rounds) alternating rounds direct / snbridge")
        let direct = try await ClientFleet.connectDirect(count: clients, context: context)
        let bridge: BridgeProcess
        do {
            bridge = try await BridgeProcess.start(
                executable: context.options.snbridgePath,
                brokerPort: context.broker.port,
                eventLoops: context.options.bridgeEventLoops
            )
        } catch {
            await ClientFleet.close(direct)
            throw error
        }
        var ratios: [Double] = []
        var bridged: [Double] = []
        var failure: (any Error)?
        do {
            let publishers = try await ClientFleet.connectSN(count: clients, bridge: bridge, context: context)
            for _ in 0..<rounds {
                let baseline = try await measure(direct, bridge: nil)
                let result = try await measure(publishers, bridge: bridge)
                if let b = result.deliveredPerSecond, let d = baseline.deliveredPerSecond, d > 0 {
                    ratios.append(b / d)
                    bridged.append(b)
                }
            }
            await ClientFleet.close(publishers)
        } catch {
            failure = error
        }
        await ClientFleet.close(direct)
        await bridge.stop()
        if let failure { throw failure }

        var summary = ScenarioResult(scenario: "qos1-ratio", path: "bridge/direct")
        summary.clients = clients
        summary.qos = 1
        summary.payloadBytes = 32
        summary.mode = "closed"
        summary.window = context.options.window
        let median = Self.median(ratios)
        summary.deliveredPerSecond = Self.median(bridged)
        summary.target =
            "QoS 1 x25 >= 80% of direct: median \(ResultTable.format(median * 100, decimals: 0))% of \(ratios.count) rounds ("
            + ratios.map { ResultTable.format($0 * 100, decimals: 0) + "%" }.joined(separator: ", ") + ")"
        summary.targetMet = median >= 0.8
        context.report(summary)
    }

    /// The middle value; the mean of the two middle values for an even count.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    private func measure(_ publishers: [any LoadPublisher], bridge: BridgeProcess?) async throws -> ScenarioResult {
        let run = PublishRun(
            runID: context.makeRunID(),
            qos: 1,
            payloadSize: 32,
            mode: .closedLoop,
            window: context.options.window
        )
        let measurement = LoadMeasurement(
            context: context,
            publishers: publishers,
            run: run,
            offeredRate: nil,
            bridge: bridge,
            seconds: context.options.quick ? 1.5 : 3,
            warmupSeconds: context.options.warmupSeconds
        )
        let result = try await measurement.measure(scenario: "qos1-ratio", path: bridge == nil ? "direct" : "bridge")
        context.report(result)
        return result
    }
}
