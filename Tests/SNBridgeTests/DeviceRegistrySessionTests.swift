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

    @Test("With status.udp_devices off a UDP client is no device: nothing listed, announced or sampled")
    func udpClientsNotListed() throws {
        let recorder = DeviceRegistryTests.Recorder()
        let registry = DeviceRegistry(logger: Logger(label: "test"), listsUDPDevices: false) { recorder.record($0) }
        registry.sessionChanged(try Self.event(.connecting))
        registry.sessionChanged(try Self.event(.connected, messagesIn: 3))
        registry.sessionsSampled([try Self.event(.connected, messagesIn: 9).session])
        registry.sessionChanged(try Self.event(.lost, ended: "keepalive"))
        registry.publishListIfChanged(every: .seconds(1))
        #expect(registry.records().isEmpty)
        #expect(recorder.take().isEmpty)

        // A board's own client on its serial line is still followed.
        registry.appeared(DeviceDescriptor.configured(path: "/dev/ttyUSB0"))
        let board = GatewaySessionEvent(
            session: GatewaySessionSnapshot(
                clientID: "board-1",
                address: .serial(device: "/dev/ttyUSB0", wirelessNodeID: nil),
                state: .connected,
                topicCount: 0,
                pendingMessages: 0,
                messagesIn: 4,
                messagesOut: 1,
                lastHeard: .now()
            ),
            endReason: nil
        )
        registry.sessionChanged(board)
        #expect(registry.records().first?.client == .init(id: "board-1", state: .connected))
        #expect(registry.records().first?.counters?.messagesIn == 4)
    }
}
