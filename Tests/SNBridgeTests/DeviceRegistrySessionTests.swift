import Foundation
import GatewayCore
import Logging
import MQTTSNTransport
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import SNBridge

/// UDP clients as devices: the registry fed with the gateway's session events.
@Suite("Device registry: UDP sessions")
struct DeviceRegistrySessionTests {
    final class Clock: Sendable {
        let time = NIOLockedValueBox(Date(timeIntervalSince1970: 5_000))
        func advance(_ seconds: TimeInterval) { time.withLockedValue { $0.addTimeInterval(seconds) } }
    }

    static func event(
        _ state: GatewaySessionSnapshot.State,
        ended: String? = nil,
        messagesIn: Int = 0
    ) throws -> GatewaySessionEvent {
        GatewaySessionEvent(
            session: GatewaySessionSnapshot(
                clientID: "sensor/7",
                address: .udp(try SocketAddress(ipAddress: "192.0.2.7", port: 50_000)),
                state: state,
                topicCount: 1,
                pendingMessages: 0,
                messagesIn: messagesIn,
                messagesOut: 2,
                lastHeard: .now()
            ),
            endReason: ended
        )
    }

    @Test("A UDP client is listed with origin udp and its address, online while connected or asleep")
    func udpClientIsADevice() throws {
        let recorder = DeviceRegistryTests.Recorder()
        let clock = Clock()
        let registry = DeviceRegistry(
            logger: Logger(label: "test"),
            now: { clock.time.withLockedValue { $0 } },
            publish: {
                recorder.record($0)
            }
        )
        let id = "udp-sensor_7"
        registry.sessionChanged(try Self.event(.connecting))
        registry.sessionChanged(try Self.event(.connected, messagesIn: 3))
        var record = try #require(registry.records().first)
        #expect(record.id == id)
        #expect(record.origin == .udp)
        #expect(record.path == "udp:192.0.2.7:50000")
        #expect(record.online == true)
        #expect(record.client == .init(id: "sensor/7", state: .connected))
        #expect(record.counters?.messagesIn == 3)
        #expect(record.lastSeen != nil)
        registry.sessionChanged(try Self.event(.asleep))
        #expect(registry.records().first?.online == true)
        registry.sessionChanged(try Self.event(.lost, ended: "keepalive"))
        record = try #require(registry.records().first)
        #expect(record.online == false)
        #expect(record.state == "lost")
        // Joined and left with availability, and no immediate list per sensor (thousands may join at once).
        #expect(
            DeviceRegistryTests.kinds(recorder.take()) == [
                "availability \(id) online", "event joined \(id)",
                "availability \(id) offline", "event left \(id)",
            ]
        )
        registry.publishListIfChanged(every: .seconds(1))
        #expect(DeviceRegistryTests.kinds(recorder.take()) == ["list \(id)=lost"])

        // Forgotten once it has been gone long enough; its retained topics are then cleared.
        registry.forgetDeparted(after: .seconds(60))
        #expect(registry.records().count == 1)
        clock.advance(61)
        registry.forgetDeparted(after: .seconds(60))
        #expect(registry.records().isEmpty)
        #expect(DeviceRegistryTests.kinds(recorder.take()) == ["forgotten \(id)"])
    }
}
