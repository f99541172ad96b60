import Foundation

/// The real bridge's restart with stored sessions: `count` clients connect with clean session off and leave
/// (DISCONNECT), so the bridge keeps and stores `count` sessions; the bridge stops, and a new `snbridge run` on the
/// same state directory is timed from spawn until it serves UDP (which it does only after restoring every stored
/// session), with its resident memory then against a bridge started on an empty store.
///
/// Targets: restored in under 2 s; under 16 KiB resident per stored session.
struct BridgeRestoreScenario {
    let context: BenchContext

    func run() async throws {
        let count = context.options.restoreSessions
        let state = FileManager.default.temporaryDirectory.appendingPathComponent(
            "snbridge-bench-restore-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: state) }
        context.progress("restore: \(count) clean-session-off sessions stored by the bridge, then a restart")

        // The baseline: a bridge on an empty store, measured at the same point (serving UDP, idle).
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent(
            "snbridge-bench-empty-\(UUID().uuidString)"
        )
        defer { try? FileManager.default.removeItem(at: empty) }
        let baselineBridge = try await BridgeProcess.start(
            executable: context.options.snbridgePath,
            brokerPort: context.broker.port,
            stateDirectory: empty.path
        )
        try await Task.sleep(for: .seconds(1))
        let baseline = ProcessSample.read(pid: baselineBridge.pid)?.residentBytes ?? 0
        await baselineBridge.stop()

        let first = try await BridgeProcess.start(
            executable: context.options.snbridgePath,
            brokerPort: context.broker.port,
            stateDirectory: state.path,
            clientIDPrefix: "restore-"
        )
        let connectStarted = MonotonicClock.nanoseconds()
        let fleet = try await ClientFleet.connectSN(count: count, bridge: first, context: context, cleanSession: false)
        let connectSeconds = MonotonicClock.seconds(since: connectStarted)
        // Paced, so that the bridge's UDP socket buffer does not overflow with 10,000 datagrams at once.
        for (index, client) in fleet.enumerated() {
            await client.disconnect()
            if index % 100 == 99 { try await Task.sleep(for: .milliseconds(20)) }
        }
        try await Task.sleep(for: .seconds(2))
        await ClientFleet.close(fleet)
        // SIGTERM: the store commits what is queued before the process exits.
        await first.stop()

        var result = ScenarioResult(scenario: "restore", path: "bridge")
        result.clients = count
        result.connectSeconds = connectSeconds
        var timings: [Double] = []
        for run in 1...3 {
            let started = MonotonicClock.nanoseconds()
            let bridge = try await BridgeProcess.start(
                executable: context.options.snbridgePath,
                brokerPort: context.broker.port,
                stateDirectory: state.path,
                clientIDPrefix: "restore-"
            )
            let seconds = MonotonicClock.seconds(since: started)
            timings.append(seconds)
            let restoredLine = bridge.log.first { $0.contains("Sessions restored from the store") } ?? ""
            try await Task.sleep(for: .seconds(1))
            let resident = ProcessSample.read(pid: bridge.pid)?.residentBytes ?? 0
            context.progress(
                "restore run \(run): spawn to serving \(ResultTable.format(seconds, decimals: 2)) s, resident "
                    + "\(resident >> 10) KiB (empty store: \(baseline >> 10) KiB); \(restoredLine)"
            )
            result.bridgeResidentBytes = resident
            result.bridgeResidentBeforeBytes = baseline
            result.bytesPerSession = Double(resident - baseline) / Double(max(count, 1))
            await bridge.stop()
        }
        let median = AlternatingRounds.median(timings)
        result.seconds = median
        let perSession = (result.bytesPerSession ?? 0) / 1024
        result.target =
            "restart to restored \(count) sessions < 2 s: median \(ResultTable.format(median, decimals: 2)) s ("
            + timings.map { ResultTable.format($0, decimals: 2) }.joined(separator: ", ")
            + "); < 16 KiB resident per stored session: \(ResultTable.format(perSession, decimals: 1)) KiB"
        result.targetMet = median < 2 && perSession < 16
        context.report(result)
    }
}
