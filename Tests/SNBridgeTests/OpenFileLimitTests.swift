import Foundation
import TestSupport
import Testing

/// `snbridge run` raises its own soft open-file limit: one upstream connection per session needs more than the
/// 1,024 a shell or a unit without `LimitNOFILE=` gives by default.
@Suite("snbridge run's open-file limit")
struct OpenFileLimitTests {
    @Test("started with a soft limit of 256, snbridge run raises it to the hard limit")
    func raisesSoftLimitToHardLimit() async throws {
        var own = rlimit()
        try #require(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &own) == 0)
        try #require(own.rlim_max > 256, "the hard open-file limit here is \(own.rlim_max): nothing to raise to")
        let directory = try SerialBridgeEndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try SNBridgeProcess.writeConfiguration(
            brokerPort: try FreePort.tcp(),
            extraYAML: "status: { enabled: false }",
            in: directory
        )
        let bridge = try ChildProcess(
            executable: "/bin/sh",
            arguments: [
                "-c", "ulimit -S -n 256 && exec \"$0\" run --config \"$1\"", SNBridgeProcess.executable, file.path,
            ]
        )
        try await bridge.waitForLine(timeout: .seconds(20)) { $0.contains("MQTT-SN listening on UDP") }

        let limits = try String(contentsOfFile: "/proc/\(bridge.pid)/limits", encoding: .utf8)
        let line = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max open files") })
        let fields = line.dropFirst("Max open files".count).split(separator: " ")
        #expect(fields.first == fields.dropFirst().first, "\(line)")
        #expect(fields.dropFirst().first.map(String.init) == String(own.rlim_max), "\(line)")

        bridge.send(signal: SIGTERM)
        #expect(try await bridge.waitForExit(timeout: .seconds(15)) == 0)
    }
}
