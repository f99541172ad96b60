import Foundation
import Logging
import NIOPosix
import TestSupport

/// The running parts of the demo, each started here and stopped by its pid.
struct DemoSetup {
    let brokerHost: String
    let brokerPort: Int
    let localBroker: MosquittoBroker?
    let cable: SerialCable
    let bridge: ChildProcess
    let board: SimulatedDevice

    static func start(brokerURL: String?, in directory: URL) async throws -> DemoSetup {
        let localBroker: MosquittoBroker?
        let host: String
        let port: Int
        if let brokerURL {
            let hostPort = brokerURL.dropFirst("mqtt://".count)
            let parts = hostPort.split(separator: ":", maxSplits: 1)
            host = String(parts.first ?? "localhost")
            port = parts.count == 2 ? Int(parts[1]) ?? 1883 : 1883
            localBroker = nil
            DemoOutput.line("broker", "using \(host):\(port)")
        } else {
            let broker = try await MosquittoBroker.start()
            localBroker = broker
            host = broker.host
            port = broker.port
            DemoOutput.line("broker", "started mosquitto on \(host):\(port) for this demo (pid \(broker.pid))")
        }

        let cable = try await SerialCable(in: directory, name: "board")
        DemoOutput.line("cable", "pty cable \(cable.bridgeEnd) <-> \(cable.deviceEnd) (socat)")

        let udpPort = try FreePort.udp()
        let config = directory.appendingPathComponent("snbridge.yaml")
        try """
        broker:
          url: mqtt://\(host):\(port)
        udp:
          listeners: ["127.0.0.1:\(udpPort)"]
        serial:
          ports:
            - path: \(cable.bridgeEnd)
              baud: 115200
        state:
          directory: \(directory.appendingPathComponent("state").path)
        """.write(to: config, atomically: true, encoding: .utf8)
        let bridge = try ChildProcess(
            executable: BuiltProduct.path("snbridge"),
            arguments: ["run", "--config", config.path]
        )
        try await bridge.waitForLine(timeout: .seconds(20)) { $0.contains("MQTT-SN listening on UDP") }
        DemoOutput.line(
            "bridge",
            "snbridge run (pid \(bridge.pid)): MQTT-SN on udp 127.0.0.1:\(udpPort), serial port \(cable.bridgeEnd)"
        )

        let board = try SimulatedDevice(arguments: ["--banner", "--id", "de30b0a2d001", cable.deviceEnd])
        DemoOutput.line("board", "snbridge-simdevice (the C reference device library) booting on \(cable.deviceEnd)")
        return DemoSetup(
            brokerHost: host,
            brokerPort: port,
            localBroker: localBroker,
            cable: cable,
            bridge: bridge,
            board: board
        )
    }

    func stop() async {
        board.send("disconnect")
        board.terminate()
        bridge.send(signal: SIGTERM)
        _ = try? await bridge.waitForExit(timeout: .seconds(10))
        await bridge.terminate()
        await cable.unplug()
        await localBroker?.stop()
    }
}
