import Foundation
import Logging
import NIOConcurrencyHelpers
import Testing

@testable import SNBridge

/// The registry in front of the state machines: what it publishes, in which order, and what the list holds.
@Suite("Device registry")
struct DeviceRegistryTests {
    final class Recorder: Sendable {
        let publications = NIOLockedValueBox<[StatusPublication]>([])
        func record(_ publication: StatusPublication) { publications.withLockedValue { $0.append(publication) } }
        func take() -> [StatusPublication] {
            publications.withLockedValue { publications in
                defer { publications = [] }
                return publications
            }
        }
    }

    static let descriptor = DeviceDescriptor(
        id: "usb-10c4:ea60-0001A2B3-if00",
        path: "/dev/ttyUSB0",
        usbID: "10c4:ea60",
        rule: "cp210x",
        origin: .discovered
    )

    static func makeRegistry() -> (DeviceRegistry, Recorder) {
        let recorder = Recorder()
        let registry = DeviceRegistry(
            logger: Logger(label: "test"),
            now: { Date(timeIntervalSince1970: 5_000) },
            publish: {
                recorder.record($0)
            }
        )
        return (registry, recorder)
    }

    static func kinds(_ publications: [StatusPublication]) -> [String] {
        publications.map { publication in
            switch publication {
            case .availability(let id, let online): "availability \(id) \(online ? "online" : "offline")"
            case .event(let event): "event \(event.event.rawValue) \(event.device)"
            case .deviceList(let records): "list \(records.map { "\($0.id)=\($0.state)" }.joined(separator: ","))"
            case .console(let id, let line): "console \(id) \(line)"
            case .forgotten(let id): "forgotten \(id)"
            }
        }
    }

    @Test("A device's life is announced in order: listed, linked, online and joined with its client, offline and left")
    func lifeCycleIsAnnouncedInOrder() {
        let (registry, recorder) = Self.makeRegistry()
        let id = Self.descriptor.id
        registry.appeared(Self.descriptor)
        registry.openingStarted(id: id)
        registry.linkUp(path: "/dev/ttyUSB0", helloID: "a1b2", firmware: "sim 1.0")
        #expect(registry.records()[0].online == false)
        #expect(registry.records()[0].link == "linked")
        registry.observe(path: "/dev/ttyUSB0", linkCounters: nil, client: .init(id: "board-1", state: .connected))
        #expect(registry.records()[0].online == true)
        #expect(registry.records()[0].link == "linked")
        registry.gone(id: id, reason: "device removed")
        #expect(
            Self.kinds(recorder.take()) == [
                "list \(id)=present",
                "list \(id)=opening",
                "list \(id)=linked",
                "availability \(id) online", "event joined \(id)", "list \(id)=connected",
                "availability \(id) offline", "event left \(id)", "list \(id)=lost",
            ]
        )
        #expect(registry.records()[0].link == "lost")
    }

    @Test("A refused HELLO puts the device in error with the reason, and one error event")
    func refusedLinkIsAnError() throws {
        let (registry, recorder) = Self.makeRegistry()
        let id = Self.descriptor.id
        registry.appeared(Self.descriptor)
        registry.openingStarted(id: id)
        registry.portOpened(id: id)
        _ = recorder.take()
        registry.linkRefused(path: "/dev/ttyUSB0", reason: "HELLO refused: unsupported protocol version")
        registry.linkRefused(path: "/dev/ttyUSB0", reason: "HELLO refused: unsupported protocol version")
        let publications = recorder.take()
        #expect(Self.kinds(publications) == ["event error \(id)", "list \(id)=error"])
        guard case .event(let event) = publications.first else { throw UDPSensorError(description: "no event") }
        #expect(event.reason == "HELLO refused: unsupported protocol version")
        #expect(registry.records()[0].reason == "HELLO refused: unsupported protocol version")
    }

    @Test("Re-added at another tty, a board keeps its identity and its counters")
    func replugAtAnotherPathKeepsIdentity() throws {
        let (registry, recorder) = Self.makeRegistry()
        let id = Self.descriptor.id
        registry.appeared(Self.descriptor)
        registry.openingStarted(id: id)
        registry.linkUp(path: "/dev/ttyUSB0", helloID: nil, firmware: nil)
        registry.observe(
            path: "/dev/ttyUSB0",
            linkCounters: LinkCounterSample(framesIn: 10, framesOut: 4, badFrames: 1),
            client: nil
        )
        registry.gone(id: id, reason: "device removed")
        var moved = Self.descriptor
        moved.path = "/dev/ttyUSB1"
        registry.appeared(moved)
        registry.openingStarted(id: id)
        registry.linkUp(path: "/dev/ttyUSB1", helloID: nil, firmware: nil)
        registry.observe(
            path: "/dev/ttyUSB1",
            linkCounters: LinkCounterSample(framesIn: 3, framesOut: 1, badFrames: 0),
            client: nil
        )
        _ = recorder.take()

        let records = registry.records()
        #expect(records.count == 1)
        let record = try #require(records.first)
        #expect(record.path == "/dev/ttyUSB1")
        #expect(record.state == "linked")
        #expect(record.counters?.framesIn == 13)
        #expect(record.counters?.framesOut == 5)
        #expect(record.counters?.badFrames == 1)
        #expect(record.counters?.opens == 2)
        #expect(record.counters?.relinks == 1)
        #expect(registry.deviceID(forPath: "/dev/ttyUSB0") == nil)
        #expect(registry.deviceID(forPath: "/dev/ttyUSB1") == id)
    }

    @Test("The device's MQTT-SN client shows in its state and the list")
    func clientStateComesFromSessions() {
        let (registry, recorder) = Self.makeRegistry()
        registry.appeared(Self.descriptor)
        registry.openingStarted(id: Self.descriptor.id)
        registry.linkUp(path: "/dev/ttyUSB0", helloID: nil, firmware: nil)
        _ = recorder.take()
        registry.observe(path: "/dev/ttyUSB0", linkCounters: nil, client: .init(id: "board-1", state: .asleep))
        let record = registry.records()[0]
        #expect(record.state == "asleep")
        #expect(record.client == .init(id: "board-1", state: .asleep))
        #expect(
            Self.kinds(recorder.take()) == [
                "availability \(Self.descriptor.id) online", "event joined \(Self.descriptor.id)",
                "list \(Self.descriptor.id)=asleep",
            ]
        )
    }

    @Test("Console lines reach MQTT only when asked to")
    func consoleLinesAreOptional() {
        let (registry, recorder) = Self.makeRegistry()
        registry.appeared(Self.descriptor)
        _ = recorder.take()
        registry.consoleLine(path: "/dev/ttyUSB0", line: "boot", toMQTT: false)
        #expect(recorder.take().isEmpty)
        registry.consoleLine(path: "/dev/ttyUSB0", line: "boot", toMQTT: true)
        #expect(Self.kinds(recorder.take()) == ["console \(Self.descriptor.id) boot"])
        #expect(registry.records()[0].counters?.consoleLines == 2)
    }

    @Test("The device list JSON uses snake_case keys and ISO 8601 times")
    func deviceListJSON() throws {
        let (registry, _) = Self.makeRegistry()
        registry.appeared(Self.descriptor)
        let json = StatusJSON.encode(registry.records())
        #expect(json.contains("\"usb_id\":\"10c4:ea60\""))
        #expect(json.contains("\"path\":\"/dev/ttyUSB0\""))
        #expect(json.contains("\"since\":\"1970-01-01T01:23:20Z\""))
        let decoded = try StatusJSON.decode([DeviceRecord].self, from: json)
        #expect(decoded == registry.records())
    }
}
