import Foundation
import Logging
import NIOCore
import NIOPosix
import SessionStore
import TestSupport

/// The session store on its own (the gateway is not wired to it yet): how fast sessions and outage messages become
/// durable, and how long a restarted process takes to have 10,000 stored sessions back, with the resident memory
/// they cost it.
///
/// Restart-to-restored is measured in a new process (this executable again, with `--restore-probe`), from spawn to
/// exit, so process start, SQLite's open, the integrity check and reading every row are all in it. The file is in
/// the page cache, as after a crash; after a reboot the first read comes from the disk.
///
/// Targets: restored in under 2 s; under 16 KiB resident per restored session.
struct StoreRestoreScenario {
    let context: BenchContext

    static let stateBytes = 1_024

    func run() async throws {
        let count = context.options.restoreSessions
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "snbridge-bench-store-\(UUID().uuidString)"
        )
        defer { try? FileManager.default.removeItem(at: directory) }
        for synchronous in SessionStoreSynchronous.allCases.reversed() {
            try? FileManager.default.removeItem(at: directory)
            let configuration = SessionStoreConfiguration(
                location: .directory(directory.path),
                synchronous: synchronous
            )
            try await measureWrites(count: count, configuration: configuration)
        }
        for run in 1...3 {
            try await measureRestore(count: count, directory: directory, run: run)
        }
    }

    /// Saves `count` sessions, then 10 updates of each in a burst, then appends outage messages waiting for each to
    /// be durable (the way the gateway acknowledges them).
    private func measureWrites(count: Int, configuration: SessionStoreConfiguration) async throws {
        let logger = Logger(label: "snbridge-bench-store")
        let store = try await SessionStore.open(configuration: configuration, logger: logger)
        let state = Data((0..<Self.stateBytes).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        var started = MonotonicClock.nanoseconds()
        for index in 0..<count {
            try store.save(Self.record(index, state: state, incarnation: store.allocateIncarnation()))
        }
        try await store.flush()
        let saveSeconds = MonotonicClock.seconds(since: started)

        let updates = count * 10
        let commitsBefore = store.statistics.commits
        started = MonotonicClock.nanoseconds()
        for update in 0..<updates {
            try store.save(Self.record(update % count, state: state, incarnation: UInt64(update)))
        }
        try await store.flush()
        let updateSeconds = MonotonicClock.seconds(since: started)
        let updateStatistics = store.statistics

        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let appends = context.options.quick ? 5_000 : 20_000
        started = MonotonicClock.nanoseconds()
        var futures: [EventLoopFuture<Void>] = []
        futures.reserveCapacity(appends)
        for index in 0..<appends {
            let message = OutageMessage(
                clientID: "bench-\(index % 25)",
                topic: "bench/store/\(index % 25)",
                payload: Data(repeating: 0x55, count: 32),
                qos: 1
            )
            let ticket = try store.appendOutage(message).ticket
            futures.append(store.whenDurable(ticket, on: eventLoop))
        }
        try await EventLoopFuture.andAllSucceed(futures, on: eventLoop).get()
        let appendSeconds = MonotonicClock.seconds(since: started)
        await store.close()

        let mode = "synchronous \(configuration.synchronous.rawValue)"
        context.report(
            Self.row(
                "store-save",
                clients: count,
                bytes: Self.stateBytes,
                mode: mode,
                count: count,
                seconds: saveSeconds,
                note: "\(count) new sessions saved and durable"
            )
        )
        context.report(
            Self.row(
                "store-update",
                clients: count,
                bytes: Self.stateBytes,
                mode: mode,
                count: updates,
                seconds: updateSeconds,
                note: "\(updates) updates in a burst: \(updateStatistics.commits - commitsBefore) commits, "
                    + "\(updateStatistics.coalescedSessionWrites) coalesced"
            )
        )
        context.report(
            Self.row(
                "store-outage-append",
                clients: 25,
                bytes: 32,
                mode: mode,
                count: appends,
                seconds: appendSeconds,
                note: "\(appends) outage messages, each awaited until durable"
            )
        )
    }

    private func measureRestore(count: Int, directory: URL, run: Int) async throws {
        let started = MonotonicClock.nanoseconds()
        let probe = try ChildProcess(
            executable: BuiltProduct.path("snbridge-bench"),
            arguments: ["--restore-probe", directory.path]
        )
        let status = try await probe.waitForExit(timeout: .seconds(60))
        let restartSeconds = MonotonicClock.seconds(since: started)
        guard status == 0, let line = probe.output.last,
            let report = try? JSONDecoder().decode(RestoreProbeReport.self, from: Data(line.utf8))
        else {
            throw BenchError.failed("restore probe failed (\(status)): \((probe.output + probe.errorOutput).suffix(5))")
        }
        var result = ScenarioResult(scenario: "store-restore", path: "store")
        result.clients = report.sessions
        result.payloadBytes = Self.stateBytes
        result.mode = "run \(run)"
        result.seconds = restartSeconds
        result.connectSeconds = report.openSeconds
        result.bridgeResidentBeforeBytes = report.residentBeforeBytes
        result.bridgeResidentBytes = report.residentAfterBytes
        let perSession =
            Double(report.residentAfterBytes - report.residentBeforeBytes) / Double(max(1, report.sessions))
        result.bytesPerSession = perSession
        result.target =
            "\(report.sessions) sessions restored < 2 s: \(ResultTable.format(restartSeconds, decimals: 3)) s "
            + "(open and read \(ResultTable.format(report.openSeconds, decimals: 3)) s); "
            + "< 16 KiB/session: \(ResultTable.format(perSession / 1024, decimals: 2)) KiB"
        result.targetMet = restartSeconds < 2 && perSession < 16_384 && report.sessions == count && count >= 10_000
        context.report(result)
    }

    /// One write-rate row: `count` writes in `seconds`.
    private static func row(
        _ scenario: String,
        clients: Int,
        bytes: Int,
        mode: String,
        count: Int,
        seconds: Double,
        note: String
    ) -> ScenarioResult {
        var result = ScenarioResult(scenario: scenario, path: "store")
        result.clients = clients
        result.payloadBytes = bytes
        result.mode = mode
        result.seconds = seconds
        result.deliveredPerSecond = Double(count) / seconds
        result.note = note
        return result
    }

    static func record(_ index: Int, state: Data, incarnation: UInt64) -> SessionRecord {
        SessionRecord(
            clientID: "bench-sensor-\(index)",
            formatVersion: 1,
            state: state,
            lastAddress: "udp:127.0.0.1:\(20_000 + index % 40_000)",
            deadline: Date(timeIntervalSinceNow: 3_600),
            incarnation: incarnation
        )
    }
}

/// What `snbridge-bench --restore-probe DIR` prints: one JSON line.
struct RestoreProbeReport: Codable {
    var sessions: Int
    var openSeconds: Double
    var residentBeforeBytes: Int
    var residentAfterBytes: Int

    /// Opens the store in `directory`, takes every session and keeps them, and reports; the process then exits.
    static func measure(directory: String) async throws -> RestoreProbeReport {
        let before = ProcessSample.read(pid: getpid())?.residentBytes ?? 0
        let started = MonotonicClock.nanoseconds()
        let store = try await SessionStore.open(
            configuration: SessionStoreConfiguration(location: .directory(directory)),
            logger: Logger(label: "snbridge-bench-restore-probe")
        )
        let sessions = store.takeRestoredSessions()
        let seconds = MonotonicClock.seconds(since: started)
        guard store.problems.isEmpty else { throw BenchError.failed("store problems: \(store.problems)") }
        let after = ProcessSample.read(pid: getpid())?.residentBytes ?? 0
        let report = RestoreProbeReport(
            sessions: sessions.count,
            openSeconds: seconds,
            residentBeforeBytes: before,
            residentAfterBytes: after
        )
        withExtendedLifetime(sessions) {}
        await store.close()
        return report
    }
}
