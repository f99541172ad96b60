/// What the session store costs on the QoS 1 path: 25 clients with clean session off (so every session is a stored
/// one), closed loop, 32-byte payloads, through a bridge with its store in a state directory and through one with
/// `state.directory: none`, in alternation (both fleets stay connected), several rounds; judged on the median ratio.
///
/// Target: with the store, at least 90% of the throughput without it.
struct StoreRatioScenario {
    let context: BenchContext
    let clients = 25

    func run() async throws {
        let rounds = context.options.quick ? 2 : 5
        context.progress("qos1-store: \(clients) clean-session-off clients, \(rounds) alternating rounds store / none")
        let stored = try await BridgeProcess.start(
            executable: context.options.snbridgePath,
            brokerPort: context.broker.port,
            eventLoops: context.options.bridgeEventLoops,
            clientIDPrefix: "stored-"
        )
        let memory: BridgeProcess
        do {
            memory = try await BridgeProcess.start(
                executable: context.options.snbridgePath,
                brokerPort: context.broker.port,
                eventLoops: context.options.bridgeEventLoops,
                stateDirectory: "none",
                clientIDPrefix: "memory-"
            )
        } catch {
            await stored.stop()
            throw error
        }
        var ratios: [Double] = []
        var withStore: [Double] = []
        var failure: (any Error)?
        do {
            let storedFleet = try await ClientFleet.connectSN(
                count: clients,
                bridge: stored,
                context: context,
                cleanSession: false
            )
            let memoryFleet = try await ClientFleet.connectSN(
                count: clients,
                bridge: memory,
                context: context,
                cleanSession: false
            )
            for _ in 0..<rounds {
                let baseline = try await measure(memoryFleet, bridge: memory, path: "none")
                let result = try await measure(storedFleet, bridge: stored, path: "store")
                if let s = result.deliveredPerSecond, let m = baseline.deliveredPerSecond, m > 0 {
                    ratios.append(s / m)
                    withStore.append(s)
                }
            }
            await ClientFleet.close(storedFleet)
            await ClientFleet.close(memoryFleet)
        } catch {
            failure = error
        }
        await stored.stop()
        await memory.stop()
        if let failure { throw failure }

        var summary = ScenarioResult(scenario: "qos1-store", path: "store/none")
        summary.clients = clients
        summary.qos = 1
        summary.payloadBytes = 32
        summary.mode = "closed"
        summary.window = context.options.window
        let median = QoS1RatioScenario.median(ratios)
        summary.deliveredPerSecond = QoS1RatioScenario.median(withStore)
        summary.target =
            "QoS 1 x25 clean session off, store >= 90% of none: median \(ResultTable.format(median * 100, decimals: 0))% of \(ratios.count) rounds ("
            + ratios.map { ResultTable.format($0 * 100, decimals: 0) + "%" }.joined(separator: ", ") + ")"
        summary.targetMet = median >= 0.9
        context.report(summary)
    }

    private func measure(
        _ publishers: [any LoadPublisher],
        bridge: BridgeProcess,
        path: String
    ) async throws -> ScenarioResult {
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
        let result = try await measurement.measure(scenario: "qos1-store", path: path)
        context.report(result)
        return result
    }
}
