import Foundation
import NIOCore

/// Aggregating mode at scale: 100,000 MQTT-SN clients (10,000 with `--quick`) behind ten UDP forwarders
/// (``ForwarderFleet``: this machine allows 20,000 open files, so the bench cannot give each client a socket;
/// snbridge keeps a session per wireless node either way) connect to a bridge with two shared broker sessions,
/// idle, then publish QoS 0 at 20,000 msg/s in aggregate on a predefined topic.
///
/// Targets: all connected within 10 s; under 2 KiB of resident memory per idle session; no QoS 0 message lost in
/// the bridge. The transparent-mode figures of the same run are the `scale` scenario's.
struct AggregatingScaleScenario {
    let context: BenchContext
    let forwarders = 10

    func run() async throws {
        let count = context.options.aggregatingClients
        context.progress("aggregating-scale: \(count) clients behind \(forwarders) forwarders, aggregating mode")
        let bridge = try await BridgeProcess.start(
            executable: context.options.snbridgePath,
            brokerPort: context.broker.port,
            maxClients: count * 2,
            gatewayYAML: AggregatingRatioScenario.aggregatingYAML
                + "\n  predefined_topics: { 1: bench/agg }\n  unconfirmed_send_budget: 0",
            brokerYAML: AggregatingRatioScenario.version5YAML,
            eventLoops: context.options.bridgeEventLoops,
            clientIDPrefix: "scale-"
        )
        var fleets: [ForwarderFleet] = []
        var failure: (any Error)?
        do {
            try await Task.sleep(for: .seconds(1))
            let before = ProcessSample.read(pid: bridge.pid)
            let gateway = try SocketAddress(ipAddress: "127.0.0.1", port: bridge.udpPort)
            let share = (count + forwarders - 1) / forwarders
            for index in 0..<forwarders {
                let nodes = (index * share)..<min(count, (index + 1) * share)
                fleets.append(
                    try await ForwarderFleet.make(
                        index: index,
                        nodes: nodes,
                        gateway: gateway,
                        on: context.loadGroup.next()
                    )
                )
            }
            let started = MonotonicClock.nanoseconds()
            let all = fleets.map { $0.connectAll(keepAlive: 3_600, window: 500) }
            _ = try await EventLoopFuture.whenAllSucceed(all, on: context.loadGroup.next())
                .withTimeout(.seconds(120), on: context.loadGroup.next()).get()
            let connectSeconds = MonotonicClock.seconds(since: started)
            let connectedAt = ProcessSample.read(pid: bridge.pid)
            try await Task.sleep(for: .seconds(context.options.quick ? 1 : 3))
            let after = ProcessSample.read(pid: bridge.pid)

            var idle = ScenarioResult(scenario: "aggregating-scale", path: "connect+idle")
            idle.clients = count
            idle.connectSeconds = connectSeconds
            idle.bridgeResidentBeforeBytes = before?.residentBytes
            idle.bridgeResidentBytes = after?.residentBytes
            if let before, let connectedAt {
                idle.bridgeCPU = connectedAt.coreShare(since: before.withTime(started))
            }
            if let before, let after {
                idle.bytesPerSession = Double(after.residentBytes - before.residentBytes) / Double(count)
            }
            let perSession = (idle.bytesPerSession ?? 0) / 1024
            idle.target =
                "\(count) sessions < 10 s: \(ResultTable.format(connectSeconds, decimals: 2)) s; "
                + "< 2 KiB/session: \(ResultTable.format(perSession, decimals: 1)) KiB"
            idle.targetMet = connectSeconds < 10 && perSession < 2
            context.report(idle)

            let run = PublishRun(runID: context.makeRunID(), qos: 0, payloadSize: 32, mode: .paced, window: 0)
            let measurement = LoadMeasurement(
                context: context,
                publishers: fleets,
                run: run,
                offeredRate: context.options.offeredRate,
                bridge: bridge,
                seconds: context.options.measureSeconds,
                warmupSeconds: context.options.warmupSeconds
            )
            var load = try await measurement.measure(scenario: "aggregating-scale", path: "qos0")
            let lost = (load.lost ?? 0) - (load.droppedByBroker ?? 0)
            load.target =
                "QoS 0 at \(ResultTable.format(context.options.offeredRate, decimals: 0))/s from \(count) clients: "
                + "\(lost) lost in bridge"
            load.targetMet = lost == 0
            context.report(load)
        } catch {
            failure = error
        }
        for fleet in fleets { await fleet.close() }
        await bridge.stop()
        if let failure { throw failure }
    }
}
