/// End-to-end latency at a moderate fixed rate: 1,000 msg/s from 10 MQTT-SN clients through the bridge and, at the
/// same time, 1,000 msg/s from 10 MQTTClients straight to mosquitto (the baseline). Running both lanes together
/// means both see the same machine (other builds, timer jitter); the bridge's added latency is the difference of the
/// two distributions' percentiles.
///
/// Target: added p99 under 1 ms.
struct LatencyScenario {
    let context: BenchContext
    let clientsPerLane = 10
    let ratePerLane = 1_000.0

    func run() async throws {
        for qos in context.options.qosLevels {
            context.progress(
                "latency: QoS \(qos), \(Int(ratePerLane)) msg/s through snbridge and \(Int(ratePerLane)) msg/s direct"
            )
            let bridge = try await BridgeProcess.start(
                executable: context.options.snbridgePath,
                brokerPort: context.broker.port,
                eventLoops: context.options.bridgeEventLoops
            )
            var bridged: [SNLoadClient] = []
            var direct: [DirectLoadClient] = []
            do {
                bridged = try await ClientFleet.connectSN(count: clientsPerLane, bridge: bridge, context: context)
                direct = try await ClientFleet.connectDirect(
                    count: clientsPerLane,
                    context: context,
                    indexOffset: MessageCollector.directLaneBit
                )
                // Interleaved, so each event loop's pacer alternates between the lanes.
                var publishers: [any LoadPublisher] = []
                for (sn, mqtt) in zip(bridged, direct) {
                    publishers.append(sn)
                    publishers.append(mqtt)
                }
                let run = PublishRun(runID: context.makeRunID(), qos: qos, payloadSize: 32, mode: .paced, window: 512)
                let measurement = LoadMeasurement(
                    context: context,
                    publishers: publishers,
                    run: run,
                    offeredRate: ratePerLane * 2,
                    bridge: bridge,
                    seconds: context.options.latencySeconds,
                    warmupSeconds: context.options.warmupSeconds
                )
                let both = try await measurement.measure(scenario: "latency", path: "both")
                let directLane = try await context.collector.latencies(lane: 1)
                let bridgeLane = try await context.collector.latencies(lane: 0)
                let directReceived = context.collector.receivedDirectLane.load(ordering: .relaxed)
                let directSent = direct.reduce(0) { $0 + $1.counters.sent.load(ordering: .relaxed) }

                var baseline = both
                baseline.path = "direct"
                baseline.clients = clientsPerLane
                baseline.offeredPerSecond = ratePerLane
                baseline.deliveredPerSecond = nil
                baseline.sent = directSent
                baseline.received = directReceived
                baseline.lost = max(0, directSent - directReceived)
                baseline.acknowledged = nil
                baseline.droppedAtBridgeSocket = nil
                baseline.bridgeCPU = nil
                baseline.bridgeResidentBytes = nil
                baseline.apply(directLane)
                baseline.note = "measured at the same time as the bridge lane"

                var result = both
                result.path = "bridge"
                result.clients = clientsPerLane
                result.offeredPerSecond = ratePerLane
                result.deliveredPerSecond = nil
                result.sent = (both.sent ?? 0) - directSent
                result.received = (both.received ?? 0) - directReceived
                result.lost = max(0, (result.sent ?? 0) - (result.received ?? 0))
                result.apply(bridgeLane)
                if let bridgedP99 = result.latencyP99Microseconds, let directP99 = baseline.latencyP99Microseconds,
                    let bridgedP50 = result.latencyP50Microseconds, let directP50 = baseline.latencyP50Microseconds
                {
                    let added = bridgedP99 - directP99
                    result.target =
                        "added p99 < 1000 µs: \(ResultTable.format(added, decimals: 0)) µs "
                        + "(p50 +\(ResultTable.format(bridgedP50 - directP50, decimals: 0)) µs)"
                    result.targetMet = added < 1_000
                }
                context.report(baseline)
                context.report(result)
            } catch {
                await ClientFleet.close(direct)
                await ClientFleet.close(bridged)
                await bridge.stop()
                throw error
            }
            await ClientFleet.close(direct)
            await ClientFleet.close(bridged)
            await bridge.stop()
        }
    }
}
