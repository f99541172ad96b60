import Foundation
import TestSupport

/// Reads snbridge's monitoring listener through `monitoring_probe.py` (urllib, and prometheus_client's parser for
/// `/metrics`), so that the exposition is checked by the parser Prometheus users rely on, not by our own code.
struct MonitoringProbe {
    struct Response: Decodable {
        var status: Int
        var content_type: String
        var body: String?
        var types: [String: String]?
        var samples: [String: Double]?
        /// Response header fields by lowercased name (`get` only).
        var headers: [String: String]?
    }

    let port: Int

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("monitoring_probe.py").path
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func get(_ path: String) async throws -> Response {
        try await run("get", path)
    }

    /// `/metrics`, parsed.
    func metrics() async throws -> Response {
        try await run("metrics", "/metrics")
    }

    private func run(_ command: String, _ path: String) async throws -> Response {
        let output = try await ChildProcess.run("/usr/bin/python3", [Self.script, command, url(path)])
        return try JSONDecoder().decode(Response.self, from: Data(output.utf8))
    }

    /// Polls `path` until `condition` holds for the response, for at most `timeout`.
    @discardableResult
    func waitFor(
        _ path: String,
        timeout: Duration = .seconds(15),
        _ condition: (Response) -> Bool
    ) async throws -> Response {
        let deadline = ContinuousClock.now + timeout
        var last: Response?
        while ContinuousClock.now < deadline {
            let response = try await (path == "/metrics" ? metrics() : get(path))
            if condition(response) { return response }
            last = response
            try await Task.sleep(for: .milliseconds(100))
        }
        throw MonitoringProbeError(
            description: "\(path) never satisfied the condition; last: \(String(describing: last))"
        )
    }
}

struct MonitoringProbeError: Error, CustomStringConvertible {
    var description: String
}
