/// QoS 0 and QoS 1 publish throughput for each client count, payload size and mode (closed loop, fixed offered
/// rate), through the bridge and, as the ceiling, straight to mosquitto with the same load.
///
/// Target judged here: QoS 0 at the offered rate (20,000 msg/s by default) with nothing lost inside the bridge. The
/// QoS 1 ratio target has its own scenario (``QoS1RatioScenario``), which alternates rounds.
struct ThroughputScenario {
    let context: BenchContext

    func run() async throws {
        let options = context.options
        for clients in options.clientCounts {
            var baseline: [String: ScenarioResult] = [:]
            context.progress("throughput: \(clients) clients straight to mosquitto (baseline)")
            let direct = try await ClientFleet.connectDirect(count: clients, context: context)
            for run in runs() {
                let result = try await measure(publishers: direct, run: run, bridge: nil, clients: clients)
                baseline[key(run)] = result
                context.report(result)
            }
            await ClientFleet.close(direct)

            context.progress("throughput: \(clients) clients through snbridge")
            let bridge = try await BridgeProcess.start(
                executable: options.snbridgePath,
                brokerPort: context.broker.port,
                eventLoops: context.options.bridgeEventLoops
            )
            do {
                let publishers = try await ClientFleet.connectSN(count: clients, bridge: bridge, context: context)
                for run in runs() {
                    guard bridge.isRunning else { throw BenchError.failed("snbridge exited: \(bridge.log.suffix(5))") }
                    var result = try await measure(publishers: publishers, run: run, bridge: bridge, clients: clients)
                    judge(&result, against: baseline[key(run)], run: run)
                    context.report(result)
                }
                await ClientFleet.close(publishers)
            } catch {
                await bridge.stop()
                throw error
            }
            await bridge.stop()
        }
    }

    private func runs() -> [PublishRun] {
        let options = context.options
        var runs: [PublishRun] = []
        for qos in options.qosLevels {
            for payload in options.payloadSizes {
                for mode in options.modes {
                    runs.append(
                        PublishRun(
                            runID: 0,
                            qos: qos,
                            payloadSize: payload,
                            mode: mode,
                            window: mode == .closedLoop ? options.window : 512
                        )
                    )
                }
            }
        }
        return runs
    }

    private func key(_ run: PublishRun) -> String { "\(run.qos)-\(run.payloadSize)-\(run.mode)" }

    private func measure(
        publishers: [any LoadPublisher],
        run: PublishRun,
        bridge: BridgeProcess?,
        clients: Int
    )
        async throws -> ScenarioResult
    {
        var run = run
        run.runID = context.makeRunID()
        let measurement = LoadMeasurement(
            context: context,
            publishers: publishers,
            run: run,
            offeredRate: context.options.offeredRate,
            bridge: bridge,
            seconds: context.options.measureSeconds,
            warmupSeconds: context.options.warmupSeconds
        )
        return try await measurement.measure(scenario: "throughput", path: bridge == nil ? "direct" : "bridge")
    }

    private func judge(_ result: inout ScenarioResult, against baseline: ScenarioResult?, run: PublishRun) {
        if run.qos == 0, run.mode == .paced {
            let lost = (result.lost ?? 0) - (result.droppedByBroker ?? 0)
            let shed = result.shed ?? 0
            result.target =
                "QoS 0 at \(ResultTable.format(context.options.offeredRate, decimals: 0))/s: no loss in bridge: "
                + "\(lost) lost in bridge\(shed > 0 ? ", \(shed) not offered (generator)" : "")"
            result.targetMet = lost == 0
        } else if let direct = baseline?.deliveredPerSecond, direct > 0, let bridged = result.deliveredPerSecond {
            result.note = "\(ResultTable.format(bridged / direct * 100, decimals: 0))% of direct"
        }
    }
}
