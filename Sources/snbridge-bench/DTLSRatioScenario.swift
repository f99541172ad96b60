import Foundation
import NIOCore
import TestSupport

/// What DTLS costs: one bridge with a plain UDP listener and a DTLS listener (pre-shared keys), 25 MQTT-SN clients
/// on each, QoS 1 closed loop with 32-byte payloads, measured in alternating rounds (both fleets stay connected);
/// judged on the median of the rounds' DTLS/UDP ratios, as the qos1-ratio scenario is.
///
/// Target: DTLS throughput at least 70% of plain UDP.
struct DTLSRatioScenario {
    let context: BenchContext
    let clients = 25

    func run() async throws {
        let rounds = AlternatingRounds(context: context, scenario: "dtls")
        context.progress(
            "dtls: \(clients) clients on UDP and \(clients) on DTLS (PSK), \(rounds.rounds) alternating rounds"
        )
        let keys = (0..<clients).map { index in
            (
                identity: SNLoadClient.dtlsClientID(index),
                key: (0..<16).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }
            )
        }
        let dtlsPort = try FreePort.udp()
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("snbridge-bench-psk-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pskFile = directory.appendingPathComponent("psk")
        let lines = keys.map { "\($0.identity):" + $0.key.map { String(format: "%02x", $0) }.joined() }
        try (lines.joined(separator: "\n") + "\n").write(to: pskFile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: pskFile.path)
        let bridge = try await BridgeProcess.start(
            executable: context.options.snbridgePath,
            brokerPort: context.broker.port,
            udpYAML: "  dtls: { listeners: [\"127.0.0.1:\(dtlsPort)\"], psk_file: \(pskFile.path) }\n",
            eventLoops: context.options.bridgeEventLoops
        )
        var outcome: (ratios: [Double], delivered: [Double]) = ([], [])
        var failure: (any Error)?
        do {
            let plain = try await ClientFleet.connectSN(count: clients, bridge: bridge, context: context)
            let secured = try await ClientFleet.connectSNOverDTLS(
                count: clients,
                port: dtlsPort,
                keys: keys.map(\.key),
                bridge: bridge,
                context: context
            )
            outcome = try await rounds.run(
                baseline: .init(publishers: plain, bridge: bridge, path: "udp"),
                candidate: .init(publishers: secured, bridge: bridge, path: "dtls")
            )
            await ClientFleet.close(plain)
            await ClientFleet.close(secured)
        } catch {
            failure = error
        }
        await bridge.stop()
        if let failure { throw failure }

        rounds.summary(
            path: "dtls/udp",
            clients: clients,
            ratios: outcome.ratios,
            delivered: outcome.delivered,
            target: "QoS 1 x\(clients) over DTLS >= 70% of plain UDP",
            atLeast: 0.7
        )
    }
}
