import Foundation
import SessionStore
import TestSupport
import Testing

@Suite("snbridge run with the session store", .serialized)
struct SessionStoreServiceEndToEndTests {
    private func yaml(_ broker: MosquittoBroker) throws -> String {
        """
        broker: { url: "mqtt://127.0.0.1:\(broker.port)" }
        udp: { listeners: ["127.0.0.1:\(try FreePort.udp())"] }
        discovery: { enabled: false }
        """
    }

    @Test("The store is created in state.directory, and closed after the gateway on SIGTERM")
    func opensAndClosesInOrder() async throws {
        let directory = try SerialBridgeEndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let broker = try await MosquittoBroker.start()
        let state = directory.appendingPathComponent("state")
        let bridge = try await SNBridgeProcess.start(yaml: try yaml(broker), in: directory)
        try await bridge.waitForLog("Session store opened", "store.file=\(state.path)/sessions.sqlite")
        #expect(FileManager.default.fileExists(atPath: state.appendingPathComponent("sessions.sqlite").path))
        bridge.process.send(signal: SIGTERM)
        #expect(try await bridge.process.waitForExit(timeout: .seconds(15)) == 0)
        let lines = bridge.process.errorOutput + bridge.process.output
        let shutdown = try #require(lines.firstIndex { $0.contains("Shutting down gracefully") })
        let closed = try #require(lines.firstIndex { $0.contains("Session store closed") })
        #expect(shutdown < closed, "the store closes after the bridge shut down")
        await broker.stop()
    }

    @Test("A corrupt store does not stop snbridge: it says which file and why, moves it aside, and serves")
    func corruptStoreIsMovedAside() async throws {
        let directory = try SerialBridgeEndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let broker = try await MosquittoBroker.start()
        let state = directory.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let file = state.appendingPathComponent("sessions.sqlite")
        try Data(repeating: 0x42, count: 4_096).write(to: file)
        // SNBridgeProcess.start returns once snbridge serves MQTT-SN.
        let bridge = try await SNBridgeProcess.start(yaml: try yaml(broker), in: directory)
        let line = try await bridge.waitForLog("Session store unusable; moved aside", "store.file=\(file.path)")
        #expect(line.contains("not a database"))
        let entries = try FileManager.default.contentsOfDirectory(atPath: state.path)
        #expect(entries.contains { $0.hasPrefix("sessions.sqlite.corrupt-") })
        #expect(entries.contains("sessions.sqlite"))
        await bridge.process.terminate()
        await broker.stop()
    }

    @Test("--state-directory none runs with the store in memory and writes nothing")
    func inMemory() async throws {
        let directory = try SerialBridgeEndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let broker = try await MosquittoBroker.start()
        let bridge = try await SNBridgeProcess.start(
            yaml: try yaml(broker),
            arguments: ["--state-directory", "none"],
            in: directory
        )
        try await bridge.waitForLog("Session store in memory")
        await bridge.process.terminate()
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("state").path))
        await broker.stop()
    }
}
