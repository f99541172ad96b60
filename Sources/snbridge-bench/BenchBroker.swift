import Foundation
import NIOCore
import NIOPosix
import TestSupport

/// A mosquitto on a free loopback port, configured for load: no in-flight or queue limits towards the collector
/// (mosquitto's defaults of 20 and 1000 would drop QoS 1 messages to a busy subscriber and be counted as the
/// bridge's loss), TCP_NODELAY, and only warnings logged. Started through `sh` so its descriptor limit is raised
/// to the hard limit for 10,000 upstream sessions.
///
/// TestSupport's MosquittoBroker logs every packet (`log_type all`), which at tens of thousands of messages per
/// second would cost more than the broker itself; hence this small launcher.
final class BenchBroker: Sendable {
    let port: Int
    let directory: URL
    private let process: ChildProcess

    var pid: Int32 { process.pid }

    private init(port: Int, directory: URL, process: ChildProcess) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    static func start(executable: String = "/usr/sbin/mosquitto") async throws -> BenchBroker {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("snbridge-bench-mosquitto-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var lastError: any Error = BenchError.notStarted("mosquitto")
        for _ in 0..<3 {
            let port = try FreePort.tcp()
            var lines = [
                "per_listener_settings false",
                "persistence false",
                "allow_anonymous true",
                "max_inflight_messages 0",
                "max_queued_messages 0",
                "set_tcp_nodelay true",
                "sys_interval 1",
                "log_dest stderr",
                "log_type error",
                "log_type warning",
                "listener \(port) 127.0.0.1",
            ]
            if geteuid() == 0 { lines.insert("user root", at: 0) }
            let configuration = directory.appendingPathComponent("mosquitto.conf")
            try (lines.joined(separator: "\n") + "\n").write(to: configuration, atomically: true, encoding: .utf8)
            let process = try ChildProcess(
                executable: "/bin/sh",
                arguments: ["-c", "ulimit -n $(ulimit -Hn) 2>/dev/null; exec \(executable) -c \(configuration.path)"],
                directory: directory
            )
            do {
                try await waitUntilAccepting(port: port, process: process)
                return BenchBroker(port: port, directory: directory, process: process)
            } catch {
                lastError = error
                await process.terminate()
            }
        }
        throw lastError
    }

    func stop() async {
        await process.terminate()
        try? FileManager.default.removeItem(at: directory)
    }

    private static func waitUntilAccepting(port: Int, process: ChildProcess) async throws {
        let deadline = MonotonicClock.nanoseconds() + 15_000_000_000
        while MonotonicClock.nanoseconds() < deadline {
            if let status = process.terminationStatus {
                throw BenchError.notStarted(
                    "mosquitto exited with \(status): \(process.errorOutput.joined(separator: " "))"
                )
            }
            if let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(1)).connect(host: "127.0.0.1", port: port).get()
            {
                try? await channel.close()
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchError.notStarted("mosquitto did not accept on \(port) within 15 s")
    }
}
