import Foundation
import NIOCore
import TestSupport
import Testing

/// The real `snbridge run` with one UDP listener on a free loopback port, in front of a real mosquitto; `gatewayYAML`
/// is the body of its `gateway:` section, indented by two spaces.
struct UDPBridgeFixture {
    let broker: MosquittoBroker
    let process: SNBridgeProcess
    let gateway: SocketAddress
    let directory: URL

    /// `udpYAML` is added to the `udp:` section (indented by two spaces, after the listener).
    static func start(gatewayYAML: String, udpYAML: String = "") async throws -> UDPBridgeFixture {
        let directory = try SerialBridgeEndToEndTests.temporaryDirectory()
        let broker = try await MosquittoBroker.start()
        let port = try FreePort.udp()
        let process = try await SNBridgeProcess.start(
            yaml: """
                broker: { url: "mqtt://127.0.0.1:\(broker.port)" }
                udp:
                  listeners: ["127.0.0.1:\(port)"]
                \(udpYAML)
                discovery: { enabled: false }
                gateway:
                \(gatewayYAML)
                """,
            in: directory
        )
        return UDPBridgeFixture(
            broker: broker,
            process: process,
            gateway: try SocketAddress(ipAddress: "127.0.0.1", port: port),
            directory: directory
        )
    }

    func stop() async throws {
        self.process.process.send(signal: SIGTERM)
        #expect(try await self.process.process.waitForExit(timeout: .seconds(15)) == 0)
        await self.broker.stop()
        try? FileManager.default.removeItem(at: self.directory)
    }
}
