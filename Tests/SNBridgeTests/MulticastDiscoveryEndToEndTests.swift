import Foundation
import TestSupport
import Testing

/// Multicast discovery with the real `snbridge run` in one network namespace and a raw discovery client
/// (`Support/multicast_client.py`) in another, joined by a veth pair the test makes itself:
///
/// ```
///   namespace gateway: snbridge                          namespace client: multicast_client.py
///     listeners 127.0.0.1:10000 (first), 0.0.0.0:10001     member of 225.1.1.1:1883 on its veth
///     udp.multicast 225.1.1.1:1883 on the veth  ◄──────── SEARCHGW to 225.1.1.1:1883
///                                              ────────► GWINFO (to the group, or unicast), ADVERTISE
/// ```
///
/// The gateway's namespace has no multicast route, so group datagrams reach the client only from a socket whose
/// IP_MULTICAST_IF is the veth; the loopback listener listed first can reach nothing there.
@Suite(
    "Multicast discovery across a veth pair",
    .serialized,
    .timeLimit(.minutes(2)),
    .enabled(if: NetworkNamespacePair.canCreate, Comment(rawValue: NetworkNamespacePair.unavailableReason))
)
struct MulticastDiscoveryEndToEndTests {
    static let gatewayID: UInt8 = 42

    static var clientScript: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Support/multicast_client.py").path
    }

    /// Starts `snbridge run` inside the gateway namespace; SEARCHGW on the group is answered as `reply` says.
    private static func startBridge(
        in pair: NetworkNamespacePair,
        reply: String,
        directory: URL
    ) async throws
        -> ChildProcess
    {
        let file = directory.appendingPathComponent("snbridge.yaml")
        try """
        broker: { url: "mqtt://127.0.0.1:1" }
        udp:
          listeners: ["127.0.0.1:10000", "0.0.0.0:10001"]
          multicast:
            - { group: 225.1.1.1, port: 1883, interface: \(pair.gatewayInterface), reply: \(reply) }
          advertise: { interval: 1s, addresses: ["225.1.1.1:1883"] }
        discovery: { enabled: false }
        http: { listen: none }
        status: { enabled: false }
        gateway: { id: \(gatewayID) }
        """.write(to: file, atomically: true, encoding: .utf8)
        let command = pair.inNamespace(
            pair.gatewayNamespace,
            [
                SNBridgeProcess.executable, "run", "--config", file.path, "--log-level", "debug",
                "--state-directory", directory.appendingPathComponent("state").path,
            ]
        )
        let bridge = try ChildProcess(executable: command.executable, arguments: command.arguments)
        do {
            try await bridge.waitForLine(timeout: .seconds(20)) { $0.contains("MQTT-SN listening on UDP") }
        } catch {
            await bridge.terminate()
            throw error
        }
        return bridge
    }

    /// Runs the discovery client in the client namespace with `arguments`.
    private static func startClient(in pair: NetworkNamespacePair, _ arguments: [String]) throws -> ChildProcess {
        let command = pair.inNamespace(
            pair.clientNamespace,
            [
                "python3", clientScript, "--group", "225.1.1.1", "--port", "1883",
                "--interface-address", pair.clientAddress, "--timeout", "15",
            ] + arguments
        )
        return try ChildProcess(executable: command.executable, arguments: command.arguments)
    }

    /// Sets up both namespaces and the bridge, runs `body`, and takes everything down whatever happens.
    private static func withBridge(
        reply: String,
        _ body: (NetworkNamespacePair, ChildProcess) async throws -> Void
    ) async throws {
        let pair = try NetworkNamespacePair()
        defer { pair.remove() }
        let directory = try SerialBridgeEndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bridge = try await startBridge(in: pair, reply: reply, directory: directory)
        do {
            try await body(pair, bridge)
        } catch {
            await bridge.terminate()
            throw error
        }
        bridge.send(signal: SIGTERM)
        #expect(try await bridge.waitForExit(timeout: .seconds(15)) == 0)
    }

    @Test("SEARCHGW to 225.1.1.1:1883 is answered with GWINFO to the group; ADVERTISE arrives on the veth")
    func multicastReply() async throws {
        try await Self.withBridge(reply: "multicast") { pair, bridge in
            let client = try Self.startClient(in: pair, ["--search", "--probe", "--expect", "02,00"])
            let gatewayInfo = try await client.waitForLine(timeout: .seconds(15)) { $0.contains("type=0x02") }
            // GWINFO: length 3, type 0x02, gateway id 42; sent to the group from the group socket on the veth.
            #expect(gatewayInfo == "received type=0x02 from=\(pair.gatewayAddress):1883 to=225.1.1.1 hex=03022a")
            // ADVERTISE: length 5, type 0x00, gateway id 42, duration 1 s; out of the group socket, not the
            // loopback listener listed first.
            let advertise = try await client.waitForLine(timeout: .seconds(15)) { $0.contains("type=0x00") }
            #expect(advertise == "received type=0x00 from=\(pair.gatewayAddress):1883 to=225.1.1.1 hex=05002a0001")
            // Where GWINFO came from serves: PINGREQ without a session there is answered with DISCONNECT.
            let probe = try await client.waitForLine(timeout: .seconds(15)) { $0.hasPrefix("probe-answer") }
            #expect(probe.hasPrefix("probe-answer type=0x18 from=\(pair.gatewayAddress):1883 "))
            #expect(try await client.waitForExit(timeout: .seconds(20)) == 0)
            try await bridge.waitForLine { $0.contains("MQTT-SN multicast group joined") }
        }
    }

    @Test("With reply: unicast, GWINFO goes to the searching client only, from the listener that reaches it")
    func unicastReply() async throws {
        try await Self.withBridge(reply: "unicast") { pair, _ in
            let client = try Self.startClient(in: pair, ["--search", "--probe", "--expect", "02"])
            let gatewayInfo = try await client.waitForLine(timeout: .seconds(15)) { $0.contains("type=0x02") }
            // From the wildcard listener (10001), not the loopback one listed first, to the client's own address.
            #expect(
                gatewayInfo
                    == "received type=0x02 from=\(pair.gatewayAddress):10001 to=\(pair.clientAddress) hex=03022a"
            )
            let probe = try await client.waitForLine(timeout: .seconds(15)) { $0.hasPrefix("probe-answer") }
            #expect(probe.hasPrefix("probe-answer type=0x18 from=\(pair.gatewayAddress):10001 "))
            #expect(try await client.waitForExit(timeout: .seconds(20)) == 0)
        }
    }
}
