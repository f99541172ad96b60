import Foundation
import TestSupport

/// Hotplug: a CP2102 board added under umockdev (udev "add" uevent; its tty a pty relayed to the simulated board),
/// timed from the uevent to the board's first PUBLISH at the subscriber. The board sends HELLO every 100 ms until
/// linked (the reference library's 1 s would measure the board, not the bridge), then CONNECT, REGISTER, PUBLISH.
/// Repeated with a fresh tty name each time, removing the previous board first.
///
/// Target: hotplug add to first message under 1 s.
struct HotplugScenario {
    let context: BenchContext
    let plugs = 3

    func run() async throws {
        guard UMockdevBridgeTestbed.isAvailable else {
            var result = ScenarioResult(scenario: "hotplug", path: "serial")
            result.target = "hotplug add to first message < 1 s: not measured"
            result.note = "umockdev-wrapper or python3 with gi not installed"
            context.report(result)
            return
        }
        context.progress("hotplug: \(plugs) CP2102 boards plugged in under umockdev")
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("snbridge-bench-hotplug-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let testbed = try await UMockdevBridgeTestbed.launch(in: directory)
        let bridge: BridgeProcess
        do {
            bridge = try await BridgeProcess.start(
                executable: context.options.snbridgePath,
                brokerPort: context.broker.port,
                extraYAML: "discovery: { enabled: true }\nserial: { reopen_interval: 200ms }",
                eventLoops: context.options.bridgeEventLoops,
                wrapper: ["UMOCKDEV_DIR=\(testbed.root)", "/usr/bin/umockdev-wrapper"]
            )
        } catch {
            await testbed.shutdown()
            throw error
        }
        var timings: [Double] = []
        var failure: (any Error)?
        do {
            for plug in 0..<plugs {
                timings.append(try await plugIn(plug, testbed: testbed, directory: directory))
            }
        } catch {
            failure = error
        }
        await bridge.stop()
        await testbed.shutdown()
        if let failure { throw failure }

        var result = ScenarioResult(scenario: "hotplug", path: "serial")
        result.clients = plugs
        let sorted = timings.sorted()
        let worst = sorted.last ?? 0
        result.latencyP50Microseconds = sorted[sorted.count / 2] * 1e6
        result.latencyMaxMicroseconds = worst * 1e6
        result.latencySamples = sorted.count
        result.target =
            "hotplug add to first message < 1 s: worst \(ResultTable.format(worst * 1000, decimals: 0)) ms "
            + "of \(plugs) (\(sorted.map { ResultTable.format($0 * 1000, decimals: 0) }.joined(separator: ", ")) ms)"
        result.targetMet = worst < 1
        result.note = "p50/max columns: uevent add to the first PUBLISH at the subscriber"
        context.report(result)
    }

    /// Plugs in board number `plug`, waits for its first message, unplugs it; returns the seconds from "add" to
    /// the message.
    private func plugIn(_ plug: Int, testbed: UMockdevBridgeTestbed, directory: URL) async throws -> Double {
        let board = EmulatedUSBSerialBoard.cp2102(
            usbPort: "1-\(plug + 2)",
            ttyName: "ttyUSB\(plug)",
            serialNumber: String(format: "BE%06d", plug)
        )
        let run = PublishRun(runID: context.makeRunID(), qos: 0, payloadSize: 32, mode: .paced, window: 0)
        try await context.collector.begin(runID: run.runID, credits: [])
        let link = directory.appendingPathComponent("board-\(plug)").path

        let added = MonotonicClock.nanoseconds()
        try await testbed.add(board.umockdevDescription)
        try await testbed.relay(board.devnode, to: link)
        let device = try await SimulatedSerialDevice.make(
            index: 1_000 + plug,
            opening: link,
            on: context.loadGroup.next()
        )
        device.helloInterval = .milliseconds(100)
        do {
            try await device.linkConnectAndRegister()
            try await device.eventLoop.submit {
                device.begin(run, credit: DeliveryCredit {})
                _ = device.sendOne()
            }.get()
            let deadline = added + 10_000_000_000
            while context.collector.received.load(ordering: .relaxed) == 0 {
                guard MonotonicClock.nanoseconds() < deadline else {
                    throw BenchError.timedOut("first message of \(board.devnode)")
                }
                try await Task.sleep(for: .milliseconds(1))
            }
        } catch {
            await device.close()
            throw error
        }
        let elapsed = MonotonicClock.seconds(since: added)
        await device.close()
        try await testbed.remove(board.syspathsLeafFirst)
        try await testbed.stopRelay(board.devnode)
        return elapsed
    }
}
