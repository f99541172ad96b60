import Foundation
import TestSupport
import Testing

/// What every serial end-to-end test starts: a mosquitto, a socat pty cable, and the real `snbridge run` with the
/// cable's bridge end as a serial port, plus a subscriber on the broker. ``stop(beforeExit:)`` stops them all.
struct SerialBridgeFixture {
    let directory: URL
    let broker: MosquittoBroker
    let cable: SerialCable
    let bridge: SNBridgeProcess
    let subscriber: MosquittoSubscriber

    /// - Parameters:
    ///   - serialPort: the YAML of the `serial.ports` entry; `PATH` stands for the cable's bridge end.
    ///   - serialArgument: instead of a `serial.ports` entry, a `--serial` option (`PATH` as above).
    ///   - serialYAML: more keys of the `serial` section (`session_grace: 20s`).
    ///   - extraYAML: more top-level sections (`status: ...`).
    ///   - topics: what the subscriber subscribes to, at QoS 1.
    static func start(
        serialPort: String? = nil,
        serialArgument: String? = nil,
        serialYAML: String = "",
        extraYAML: String = "",
        topics: [String]
    ) async throws -> SerialBridgeFixture {
        let directory = try SerialBridgeEndToEndTests.temporaryDirectory()
        let broker = try await MosquittoBroker.start()
        let cable = try await SerialCable(in: directory)
        let ports = serialPort.map { "[\($0.replacingOccurrences(of: "PATH", with: cable.bridgeEnd))]" } ?? "[]"
        let bridge = try await SNBridgeProcess.start(
            yaml: """
                broker: { url: "mqtt://127.0.0.1:\(broker.port)" }
                udp: { listeners: ["127.0.0.1:\(try FreePort.udp())"] }
                serial:
                  reopen_interval: 200ms
                  ports: \(ports)
                  \(serialYAML)
                \(extraYAML)
                """,
            arguments: serialArgument.map { ["--serial", $0.replacingOccurrences(of: "PATH", with: cable.bridgeEnd)] }
                ?? [],
            in: directory
        )
        let subscriber = try await MosquittoSubscriber.start(broker: broker, topics: topics, qos: 1)
        return SerialBridgeFixture(
            directory: directory,
            broker: broker,
            cable: cable,
            bridge: bridge,
            subscriber: subscriber
        )
    }

    /// Sends snbridge SIGTERM, runs `beforeExit` (what the devices see of the shutdown), expects a clean exit, and
    /// stops everything else by pid.
    func stop(beforeExit: () async throws -> Void = {}) async throws {
        bridge.process.send(signal: SIGTERM)
        try await beforeExit()
        #expect(try await bridge.process.waitForExit(timeout: .seconds(15)) == 0)
        await subscriber.stop()
        await cable.unplug()
        await broker.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
