import Foundation
import TestSupport

/// The real `snbridge run` as a child process, so its resident memory and CPU time can be read from /proc, with a
/// generated configuration file and flags for the ports.
final class BridgeProcess: Sendable {
    let udpPort: Int
    let directory: URL
    private let process: ChildProcess

    var pid: Int32 { process.pid }

    private init(udpPort: Int, directory: URL, process: ChildProcess) {
        self.udpPort = udpPort
        self.directory = directory
        self.process = process
    }

    /// Extra YAML for the configuration file, e.g. a `serial:` section; `gateway`, `broker` and `udp` are generated,
    /// `gatewayYAML` goes into the `gateway:` section and `brokerYAML` into `broker:` (two-space indented lines,
    /// e.g. `  mode: aggregating`).
    /// `wrapper` goes between `env` and snbridge, e.g. `UMOCKDEV_DIR=... umockdev-wrapper` (each execs, so the pid
    /// stays snbridge's). `stateDirectory` is the session store's (`none` for memory); by default a directory of
    /// this run's own.
    static func start(
        executable: String,
        brokerPort: Int,
        maxClients: Int = 20_000,
        logLevel: String = "info",
        extraYAML: String = "",
        udpYAML: String = "",
        gatewayYAML: String = "",
        brokerYAML: String = "",
        eventLoops: Int? = nil,
        wrapper: [String] = [],
        stateDirectory: String? = nil,
        clientIDPrefix: String = ""
    ) async throws -> BridgeProcess {
        // NIO reads the singleton group's size from the environment: an experiment knob, not a snbridge setting.
        let environment = eventLoops.map { "NIO_SINGLETON_GROUP_LOOP_COUNT=\($0) " } ?? ""
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("snbridge-bench-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let configuration = directory.appendingPathComponent("snbridge.yaml")
        let yaml = """
            broker:
              client_id_prefix: "\(clientIDPrefix)"
              keepalive: 600s
              connect_timeout: 30s
            \(brokerYAML)
            gateway:
              max_clients: \(maxClients)
              retry_interval: 10s
              # Every load client comes from 127.0.0.1: no per-source limit on how fast they may connect.
              source_limits: { new_sessions_per_second: 1000000, burst: 1000000 }
            \(gatewayYAML)
            udp:
              listeners: ["127.0.0.1:1884"]
            \(udpYAML)
            log:
              level: \(logLevel)
            \(extraYAML)
            """
        try yaml.write(to: configuration, atomically: true, encoding: .utf8)
        let state = stateDirectory ?? directory.appendingPathComponent("state").path

        var lastError: any Error = BenchError.notStarted("snbridge")
        for _ in 0..<3 {
            let udpPort = try FreePort.udp()
            let process = try ChildProcess(
                executable: "/bin/sh",
                arguments: [
                    "-c",
                    "ulimit -n $(ulimit -Hn) 2>/dev/null; exec env \(environment)\(wrapper.map { $0 + " " }.joined())\(executable) run --config \(configuration.path) "
                        + "--udp-port \(udpPort) --broker mqtt://127.0.0.1:\(brokerPort) --state-directory \(state)",
                ],
                directory: directory
            )
            do {
                try await process.waitForLine(timeout: .seconds(30)) { $0.contains("MQTT-SN listening on UDP") }
                return BridgeProcess(udpPort: udpPort, directory: directory, process: process)
            } catch {
                lastError = BenchError.notStarted(
                    "snbridge: \(error); output: \((process.output + process.errorOutput).suffix(10).joined(separator: " | "))"
                )
                await process.terminate()
            }
        }
        throw lastError
    }

    /// Lines snbridge logged (it logs to standard error), for diagnosing a failed scenario.
    var log: [String] { process.errorOutput + process.output }

    var isRunning: Bool { process.terminationStatus == nil }

    /// Stops snbridge; with `SNBRIDGE_BENCH_BRIDGE_LOG=FILE` in the environment, appends what it logged to FILE.
    func stop() async {
        await process.terminate(grace: .seconds(10))
        try? FileManager.default.removeItem(at: directory)
        if let path = ProcessInfo.processInfo.environment["SNBRIDGE_BENCH_BRIDGE_LOG"] {
            Self.append(self.log, to: path)
        }
    }

    private static func append(_ lines: [String], to path: String) {
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}
