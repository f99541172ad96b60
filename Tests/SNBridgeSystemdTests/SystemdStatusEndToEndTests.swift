import Foundation
import TestSupport
import Testing

/// `STATUS=` from the real `snbridge run` under a stand-in notification socket, following the broker.
@Suite("systemd status line", .serialized)
struct SystemdStatusEndToEndTests {
    /// Datagrams until one satisfies `match`, for at most `attempts` datagrams or their five-second waits.
    static func next(_ receiver: DatagramReceiver, attempts: Int = 20, _ match: (String) -> Bool) async throws -> String
    {
        for _ in 0..<attempts {
            let datagram = try await receiver.receive()
            if match(datagram) { return datagram }
        }
        throw ReceiverError(description: "no matching notification")
    }

    @Test("READY=1, then STATUS= with the one-line summary, which changes when the broker goes away")
    func statusFollowsTheBroker() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "snbridge-notify-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let receiver = try DatagramReceiver(path: directory.appendingPathComponent("notify").path)
        defer { receiver.close() }
        let broker = try await MosquittoBroker.start()
        let config = directory.appendingPathComponent("snbridge.yaml")
        try """
        broker: { url: "mqtt://127.0.0.1:\(broker.port)", reconnect: { initial_delay: 100ms, max_delay: 500ms } }
        udp: { listeners: ["127.0.0.1:\(try FreePort.udp())"] }
        discovery: { enabled: false }
        http: { listen: none }
        state: { directory: none }
        """.write(to: config, atomically: true, encoding: .utf8)
        let bridge = try ChildProcess(
            executable: "/usr/bin/env",
            arguments: [
                "NOTIFY_SOCKET=\(receiver.path)", BuiltProduct.path("snbridge"), "run", "--config", config.path,
            ]
        )
        _ = try await Self.next(receiver) { $0.contains("READY=1") }
        let connected = try await Self.next(receiver) { $0.hasPrefix("STATUS=broker connected") }
        #expect(connected == "STATUS=broker connected; 0 sessions; 0 boards linked; 0 devices online")
        await broker.stop()
        let disconnected = try await Self.next(receiver) { $0.hasPrefix("STATUS=") }
        #expect(disconnected == "STATUS=broker disconnected; 0 sessions; 0 boards linked; 0 devices online")
        bridge.send(signal: SIGTERM)
        #expect(try await bridge.waitForExit(timeout: .seconds(15)) == 0)
    }
}
