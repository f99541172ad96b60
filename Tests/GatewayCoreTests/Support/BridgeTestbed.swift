import Foundation
import NIOCore
import NIOPosix
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The parts of an end-to-end test: a real mosquitto (optionally behind the TCP fault proxy), a state directory and
/// the real `snbridge run` in front of the broker on a loopback UDP port, and a way to make raw MQTT-SN clients.
/// Everything it starts it stops, by pid or by closing its own sockets.
///
/// ```
///  MQTTSNTestClient ──UDP──▶ snbridge run ──TCP──▶ [TCPFaultProxy] ──▶ mosquitto
///                            (directory/state)
/// ```
final class BridgeTestbed: @unchecked Sendable {
    let directory: URL
    let brokerOptions: MosquittoBroker.Options
    /// The broker now running (``startBroker()`` starts a new one on the same port).
    private(set) var broker: MosquittoBroker
    let proxy: TCPFaultProxy?
    let udpPort: Int
    let gateway: SocketAddress
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    /// The configuration of the next start; a test may change it before ``killAndRestart()``.
    var yaml: String
    /// The bridge now running (the last one started).
    private(set) var bridge: SNBridgeProcess
    /// More folders ``stop()`` removes (a broker's persistence directory...).
    var alsoRemoved: [URL] = []

    private init(
        directory: URL,
        brokerOptions: MosquittoBroker.Options,
        broker: MosquittoBroker,
        proxy: TCPFaultProxy?,
        udpPort: Int,
        yaml: String,
        bridge: SNBridgeProcess
    ) throws {
        self.directory = directory
        self.brokerOptions = brokerOptions
        self.broker = broker
        self.proxy = proxy
        self.udpPort = udpPort
        self.gateway = try SocketAddress(ipAddress: "127.0.0.1", port: udpPort)
        self.yaml = yaml
        self.bridge = bridge
    }

    /// Starts the broker (behind a fault proxy when `throughFaultProxy`) and the bridge with `yaml`, which is given
    /// the port the bridge reaches the broker on and the bridge's UDP port.
    static func start(
        _ name: String,
        broker brokerOptions: MosquittoBroker.Options = .init(),
        throughFaultProxy: Bool = false,
        yaml: (_ brokerPort: Int, _ udpPort: Int) throws -> String
    ) async throws -> BridgeTestbed {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "snbridge-\(name)-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let broker = try await MosquittoBroker.start(brokerOptions)
        let proxy = throughFaultProxy ? try await TCPFaultProxy.start(targetPort: broker.port) : nil
        let udpPort = try FreePort.udp()
        let configuration = try yaml(proxy?.port ?? broker.port, udpPort)
        // The state directory is `directory/state` (SNBridgeProcess), the same for every start.
        let bridge = try await SNBridgeProcess.start(yaml: configuration, in: directory)
        return try BridgeTestbed(
            directory: directory,
            brokerOptions: brokerOptions,
            broker: broker,
            proxy: proxy,
            udpPort: udpPort,
            yaml: configuration,
            bridge: bridge
        )
    }

    func client() async throws -> MQTTSNTestClient {
        try await MQTTSNTestClient.make(gateway: self.gateway, group: self.group)
    }

    /// How many log lines of the running bridge contain `fragment`.
    func logCount(_ fragment: String) -> Int {
        (self.bridge.process.output + self.bridge.process.errorOutput).filter { $0.contains(fragment) }.count
    }

    /// `kill -9` of the bridge, then a new one on the same state directory and UDP port, with ``yaml``.
    func killAndRestart() async throws {
        self.bridge.process.send(signal: SIGKILL)
        let status = try await self.bridge.process.waitForExit()
        #expect(status != 0, "killed, not exited")
        self.bridge = try await SNBridgeProcess.start(yaml: self.yaml, in: self.directory)
        try await self.bridge.waitForLog("Sessions restored from the store")
    }

    /// Stops the broker by its pid.
    func stopBroker() async {
        await self.broker.stop()
    }

    /// Starts a new broker with the same options on the same port.
    func startBroker() async throws {
        self.broker = try await MosquittoBroker.start(self.brokerOptions, port: self.broker.port)
    }

    func stop() async {
        await self.bridge.process.terminate()
        await self.proxy?.stop()
        await self.broker.stop()
        try? await self.group.shutdownGracefully()
        try? FileManager.default.removeItem(at: self.directory)
        for folder in self.alsoRemoved {
            try? FileManager.default.removeItem(at: folder)
        }
    }
}
