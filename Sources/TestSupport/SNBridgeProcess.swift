import Foundation

/// The real `snbridge run` binary, built next to the test bundle, started with a YAML file written for the test.
public struct SNBridgeProcess: Sendable {
    public let process: ChildProcess
    public let directory: URL

    public static var executable: String { BuiltProduct.path("snbridge") }

    /// Starts `snbridge run --config <yaml>` plus `arguments` and waits until it is ready to serve. The session store
    /// goes into `directory` too, unless `arguments` name one. A `yaml` without an `http:` section gets
    /// ``noMonitoringListener``.
    public static func start(yaml: String, arguments: [String] = [], in directory: URL) async throws -> SNBridgeProcess
    {
        let file = directory.appendingPathComponent("snbridge.yaml")
        try Self.withoutDefaultHTTPPort(yaml).write(to: file, atomically: true, encoding: .utf8)
        let state =
            arguments.contains("--state-directory")
            ? [] : ["--state-directory", directory.appendingPathComponent("state").path]
        let process = try ChildProcess(
            executable: executable,
            arguments: ["run", "--config", file.path, "--log-level", "debug"] + state + arguments
        )
        try await process.waitForLine(timeout: .seconds(20)) { $0.contains("MQTT-SN listening on UDP") }
        return SNBridgeProcess(process: process, directory: directory)
    }

    /// Writes a configuration for a bridge on a free loopback UDP port with discovery off and its session store in
    /// `directory`, bridging to `brokerPort`, plus `extraYAML`, into `directory`; returns the file.
    public static func writeConfiguration(brokerPort: Int, extraYAML: String = "", in directory: URL) throws -> URL {
        let file = directory.appendingPathComponent("snbridge.yaml")
        let yaml = """
            broker: { url: "mqtt://127.0.0.1:\(brokerPort)" }
            udp: { listeners: ["127.0.0.1:\(try FreePort.udp())"] }
            discovery: { enabled: false }
            state: { directory: "\(directory.appendingPathComponent("state").path)" }
            \(extraYAML)
            """
        try Self.withoutDefaultHTTPPort(yaml).write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// `yaml` with `http: { listen: none }` added when it has no `http:` section: the monitoring listener's default
    /// port (127.0.0.1:9184) is one for the whole machine, and tests run side by side.
    public static func withoutDefaultHTTPPort(_ yaml: String) -> String {
        let hasHTTP = yaml.split(separator: "\n").contains { $0.hasPrefix("http:") }
        return hasHTTP ? yaml : yaml + "\nhttp: { listen: none }\n"
    }

    /// Waits for a log line containing every one of `fragments`.
    @discardableResult
    public func waitForLog(_ fragments: String..., timeout: Duration = .seconds(10)) async throws -> String {
        try await process.waitForLine(timeout: timeout) { line in fragments.allSatisfy { line.contains($0) } }
    }
}
