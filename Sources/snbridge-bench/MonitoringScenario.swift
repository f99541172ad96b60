import Foundation
import TestSupport

/// What monitoring costs: the QoS 1 closed-loop throughput of a bridge with the HTTP listener and metrics on (and
/// `/metrics` scraped every second, more often than Prometheus would) against the same bridge with `http.listen:
/// none`, in alternating rounds; then how fast `/metrics` and the status page answer with 10,000 sessions.
///
/// Targets: on/off within 5% (median of the rounds); `/metrics` and `/` under 50 ms (p95 of 20 requests each)
/// with 10,000 sessions, for the page's first rows and for a page deep in the list. The paged and whole JSON lists
/// are timed too, without a target.
struct MonitoringScenario {
    let context: BenchContext
    let clients = 25

    func run() async throws {
        try await measureOverhead()
        try await measureLatency()
    }

    private func startBridge(http: String, prefix: String, maxClients: Int = 20_000) async throws -> BridgeProcess {
        try await BridgeProcess.start(
            executable: context.options.snbridgePath,
            brokerPort: context.broker.port,
            maxClients: maxClients,
            extraYAML: "http: { listen: \(http) }\nstatus: { client_id: \(prefix)status }\n",
            eventLoops: context.options.bridgeEventLoops,
            clientIDPrefix: prefix
        )
    }

    private func measureOverhead() async throws {
        let rounds = AlternatingRounds(context: context, scenario: "monitoring")
        context.progress(
            "monitoring: \(clients) clients, \(rounds.rounds) alternating rounds, HTTP and metrics off / on"
        )
        let httpPort = try FreePort.tcp()
        let off = try await startBridge(http: "none", prefix: "off-")
        let on: BridgeProcess
        do {
            on = try await startBridge(http: "\"127.0.0.1:\(httpPort)\"", prefix: "on-")
        } catch {
            await off.stop()
            throw error
        }
        let scraper = Task { [context] in
            while !Task.isCancelled {
                _ = try? await HTTPGetTimer.get(port: httpPort, path: "/metrics", on: context.loadGroup.next())
                try? await Task.sleep(for: .seconds(1))
            }
        }
        var ratios: [Double] = []
        var failure: (any Error)?
        do {
            let offFleet = try await ClientFleet.connectSN(count: clients, bridge: off, context: context)
            let onFleet = try await ClientFleet.connectSN(count: clients, bridge: on, context: context)
            ratios = try await rounds.run(
                baseline: .init(publishers: offFleet, bridge: off, path: "http-off"),
                candidate: .init(publishers: onFleet, bridge: on, path: "http-on")
            ).ratios
            await ClientFleet.close(offFleet)
            await ClientFleet.close(onFleet)
        } catch {
            failure = error
        }
        scraper.cancel()
        await off.stop()
        await on.stop()
        if let failure { throw failure }

        rounds.summary(
            path: "http-on/http-off",
            clients: clients,
            ratios: ratios,
            delivered: nil,
            target: "QoS 1 x\(clients) with HTTP+metrics within 5% of without",
            atLeast: 0.95
        )
    }

    private func measureLatency() async throws {
        let count = context.options.scaleClients
        context.progress("monitoring: /metrics and / with \(count) sessions")
        let httpPort = try FreePort.tcp()
        let bridge = try await startBridge(
            http: "\"127.0.0.1:\(httpPort)\"",
            prefix: "page-",
            maxClients: max(20_000, count * 2)
        )
        var clients: [SNLoadClient] = []
        do {
            clients = try await ClientFleet.connectSN(count: count, bridge: bridge, context: context, concurrency: 500)
            // Let the device list settle: UDP sensors reach the list within status.interval.
            try await Task.sleep(for: .seconds(context.options.quick ? 2 : 11))
            // The page and the lists paged (a bridge from before paging ignores the query and answers all rows),
            // a page deep in the list, and the whole device list.
            let paths = [
                "/metrics", "/", "/?offset=\(max(0, count - 100))&limit=100", "/api/devices?limit=100",
                "/api/sessions?limit=100", "/api/devices",
            ]
            for path in paths {
                var seconds: [Double] = []
                var bytes = 0
                for _ in 0..<20 {
                    let response = try await HTTPGetTimer.get(port: httpPort, path: path, on: context.loadGroup.next())
                    guard response.status.hasSuffix("200") else {
                        throw BenchError.failed("\(path) answered \(response.status)")
                    }
                    seconds.append(response.seconds)
                    bytes = response.bytes
                }
                seconds.sort()
                let p50 = seconds[seconds.count / 2]
                let p95 = seconds[Int(Double(seconds.count - 1) * 0.95)]
                var result = ScenarioResult(scenario: "monitoring", path: "GET \(path)")
                result.clients = count
                result.latencyP50Microseconds = p50 * 1e6
                result.latencyMaxMicroseconds = seconds.last.map { $0 * 1e6 }
                result.latencySamples = seconds.count
                result.note = "\(bytes / 1024) KiB response"
                if !path.hasPrefix("/api/") {
                    result.target =
                        "\(path) < 50 ms with \(count) sessions: p50 \(ResultTable.format(p50 * 1000, decimals: 1)) ms, p95 \(ResultTable.format(p95 * 1000, decimals: 1)) ms"
                    result.targetMet = p95 < 0.05 && count >= 10_000
                }
                context.report(result)
            }
        } catch {
            await ClientFleet.close(clients)
            await bridge.stop()
            throw error
        }
        await ClientFleet.close(clients)
        await bridge.stop()
    }
}
