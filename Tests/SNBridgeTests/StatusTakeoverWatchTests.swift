import Foundation
import NIOCore
import TestSupport
import Testing

@testable import MQTTClient
@testable import SNBridge

/// The status session that keeps being pushed off the broker: a table for the watch, then two real bridges sharing one
/// status client id against a real mosquitto.
@Suite("Status session takeover warning", .serialized)
struct StatusTakeoverWatchTests {
    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
    static let takenOver = MQTTConnectionError.serverDisconnected(.sessionTakenOver)

    /// Feeds losses at the given seconds; returns the seconds at which the watch said to warn.
    static func warnings(_ losses: [(seconds: Int64, error: (any Error)?)]) -> [Int64] {
        var watch = StatusTakeoverWatch()
        return losses.compactMap { loss in
            watch.connectionLost(loss.error, now: start + .seconds(loss.seconds)) != nil ? loss.seconds : nil
        }
    }

    @Test("Three losses within five minutes warn once; the next warning waits a whole window")
    func warnsOncePerWindow() {
        #expect(Self.warnings([(0, Self.takenOver), (2, Self.takenOver)]) == [])
        #expect(Self.warnings([(0, Self.takenOver), (2, Self.takenOver), (4, Self.takenOver)]) == [4])
        #expect(Self.warnings((0..<10).map { (Int64($0) * 2, Self.takenOver) }) == [4])
        #expect(Self.warnings((0..<200).map { (Int64($0) * 2, Self.takenOver) }) == [4, 304])
    }

    @Test("Losses spread wider than the window never warn")
    func spreadLossesDoNotWarn() {
        #expect(
            Self.warnings([(0, Self.takenOver), (200, Self.takenOver), (400, Self.takenOver), (600, Self.takenOver)])
                == []
        )
    }

    @Test(
        "Only the broker's doing counts: a takeover DISCONNECT or a closed connection, not our own disconnect or a keepalive timeout"
    )
    func onlyBrokerDropsCount() {
        let closed = MQTTConnectionError.connectionClosed
        #expect(Self.warnings([(0, closed), (1, closed), (2, closed)]) == [2])
        #expect(Self.warnings([(0, nil), (1, nil), (2, nil)]) == [])
        let keepalive = MQTTConnectionError.keepAliveTimeout
        #expect(Self.warnings([(0, keepalive), (1, keepalive), (2, keepalive)]) == [])
        let other = MQTTConnectionError.serverDisconnected(MQTTReasonCode(rawValue: 0x8B))
        #expect(Self.warnings([(0, other), (1, other), (2, other)]) == [])
    }

    @Test("Two bridges with one status client id push each other off the broker, and say so")
    func twoBridgesOneStatusClientID() async throws {
        let broker = try await MosquittoBroker.start()
        var bridges: [SNBridgeProcess] = []
        var directories: [URL] = []
        defer { for directory in directories { try? FileManager.default.removeItem(at: directory) } }
        for _ in 0..<2 {
            let directory = try SerialBridgeEndToEndTests.temporaryDirectory()
            directories.append(directory)
            bridges.append(
                try await SNBridgeProcess.start(
                    yaml: """
                        broker: { url: "mqtt://127.0.0.1:\(broker.port)", reconnect: { initial_delay: 200ms } }
                        udp: { listeners: ["127.0.0.1:\(try FreePort.udp())"] }
                        discovery: { enabled: false }
                        http: { listen: none }
                        status: { client_id: "snbridge-shared-status" }
                        """,
                    in: directory
                )
            )
        }
        let line = try await bridges[0].waitForLog(
            "Status session keeps being dropped by the broker",
            "status.client_id=snbridge-shared-status",
            timeout: .seconds(60)
        )
        #expect(line.contains("status.losses=3"), "\(line)")
        for bridge in bridges {
            bridge.process.send(signal: SIGTERM)
            #expect(try await bridge.process.waitForExit(timeout: .seconds(15)) == 0)
        }
        await broker.stop()
    }
}
