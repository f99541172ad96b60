import Foundation
import GatewayCore
import Logging
import NIOCore
import Testing

@testable import SNBridge

/// The pieces that keep monitoring cheap with thousands of devices: `?offset=&limit=`, the registry's paged list
/// and its kept tally, and the status page's paging links.
@Suite("Monitoring paging and kept gauges")
struct MonitoringPagingTests {
    @Test("?offset=&limit=: defaults, values, and the reason for each bad one")
    func pageRequests() throws {
        #expect(try PageRequest(query: "") == PageRequest(offset: 0, limit: nil))
        #expect(try PageRequest(query: "", defaultLimit: 100) == PageRequest(offset: 0, limit: 100))
        #expect(try PageRequest(query: "offset=200&limit=50", defaultLimit: 100) == PageRequest(offset: 200, limit: 50))
        #expect(try PageRequest(query: "limit=10000&") == PageRequest(offset: 0, limit: 10_000))
        let bad: [(String, String)] = [
            ("limit=", "limit must be a whole number from 1 to 10000, not ''"),
            ("limit=0", "limit must be a whole number from 1 to 10000, not '0'"),
            ("limit=10001", "limit must be a whole number from 1 to 10000, not '10001'"),
            ("limit=+5", "limit must be a whole number from 1 to 10000, not '+5'"),
            ("offset=-1", "offset must be a whole number from 0, not '-1'"),
            ("offset=1e3", "offset must be a whole number from 0, not '1e3'"),
            ("offset=9999999999", "offset must be a whole number from 0, not '9999999999'"),
            ("offset", "offset must be a whole number from 0, not ''"),
            ("limit=1&limit=2", "limit is given more than once"),
            ("state=lost", "unknown parameter 'state' (offset and limit are known)"),
        ]
        for (query, reason) in bad {
            #expect(throws: PageRequestError(reason), "\(query)") { try PageRequest(query: Substring(query)) }
        }
        let page = PageRequest(offset: 100, limit: 100)
        #expect(page.next(total: 201) == PageRequest(offset: 200, limit: 100))
        #expect(page.next(total: 200) == nil)
        #expect(page.previous() == PageRequest(offset: 0, limit: 100))
        #expect(PageRequest(offset: 30, limit: 100).previous() == PageRequest(offset: 0, limit: 100))
        #expect(PageRequest(offset: 0, limit: 100).previous() == nil)
        #expect(PageRequest(offset: 5).next(total: 100) == nil)
        #expect(page.query == "offset=100&limit=100")
    }

    static func session(
        _ clientID: String,
        _ state: GatewaySessionSnapshot.State,
        port: Int
    ) throws -> GatewaySessionSnapshot {
        GatewaySessionSnapshot(
            clientID: clientID,
            address: .udp(try SocketAddress(ipAddress: "192.0.2.9", port: port)),
            state: state,
            topicCount: 0,
            pendingMessages: 0,
            lastHeard: .now()
        )
    }

    @Test(
        "The kept device tally equals a full recount after every change: sensors joining, sleeping, leaving and forgotten, boards linking and going"
    )
    func tallyMatchesRecount() throws {
        let clock = DeviceRegistrySessionTests.Clock()
        let registry = DeviceRegistry(
            logger: Logger(label: "test"),
            now: { clock.time.withLockedValue { $0 } },
            publish: { _ in
            }
        )
        func check(_ step: String) {
            #expect(registry.tally() == DeviceTally(counting: registry.records()), "after \(step)")
        }
        check("nothing")
        for index in 0..<20 {
            registry.sessionChanged(
                GatewaySessionEvent(session: try Self.session("s\(index)", .connecting, port: 1000 + index))
            )
            registry.sessionChanged(
                GatewaySessionEvent(session: try Self.session("s\(index)", .connected, port: 1000 + index))
            )
        }
        check("20 sensors connected")
        #expect(registry.tally().online == 20 && registry.tally().devices(in: "connected") == 20)
        for index in 0..<5 {
            registry.sessionChanged(
                GatewaySessionEvent(session: try Self.session("s\(index)", .asleep, port: 1000 + index))
            )
        }
        check("5 asleep")
        for index in 5..<10 {
            registry.sessionChanged(
                GatewaySessionEvent(
                    session: try Self.session("s\(index)", .lost, port: 1000 + index),
                    endReason: "keepalive"
                )
            )
        }
        check("5 lost")
        #expect(registry.tally().devices(in: "lost") == 5 && registry.tally().online == 15)
        // Two boards: one linked with its client, one refused.
        let board = DeviceRegistryTests.descriptor
        registry.appeared(board)
        registry.openingStarted(id: board.id)
        registry.linkUp(path: board.path, helloID: "a1", firmware: "sim")
        registry.observe(path: board.path, linkCounters: nil, client: .init(id: "board", state: .connected))
        let other = DeviceDescriptor.configured(path: "/dev/ttyACM9")
        registry.appeared(other)
        registry.openingStarted(id: other.id)
        registry.portOpened(id: other.id)
        registry.linkRefused(path: other.path, reason: "protocol version 9")
        check("boards")
        #expect(registry.tally().boardsLinked == 1 && registry.tally().devices(in: "error") == 1)
        // The sensor that left comes back; the board goes; the rest that left are forgotten.
        registry.sessionChanged(GatewaySessionEvent(session: try Self.session("s5", .connected, port: 2005)))
        registry.gone(id: board.id, reason: "device removed")
        check("rejoined and gone")
        clock.advance(120)
        registry.forgetDeparted(after: .seconds(60))
        check("forgotten")
        let tally = registry.tally()
        #expect(tally.total == 18 && tally.devices(in: "lost") == 1 && tally.boardsLinked == 0)
        #expect(
            BridgeMonitor.summary(broker: .connected, sessions: 3, devices: tally)
                == "broker connected; 3 sessions; 0 boards linked; 16 devices online"
        )
    }

    @Test("The registry's pages: boards first, then sensors, each by id; only the rows asked for")
    func registryPages() throws {
        let (registry, _) = DeviceRegistryTests.makeRegistry()
        for (index, name) in ["c", "a", "b", "e", "d"].enumerated() {
            registry.sessionChanged(
                GatewaySessionEvent(session: try Self.session(name, .connected, port: 3000 + index))
            )
        }
        registry.appeared(DeviceDescriptor.configured(path: "/dev/ttyZ"))
        let all = registry.page(offset: 0, limit: .max)
        let boardID = DeviceDescriptor.configured(path: "/dev/ttyZ").id
        #expect(all.total == 6)
        #expect(all.records.map(\.id) == [boardID, "udp-a", "udp-b", "udp-c", "udp-d", "udp-e"])
        #expect(registry.page(offset: 2, limit: 2).records.map(\.id) == ["udp-b", "udp-c"])
        #expect(registry.page(offset: 5, limit: 10).records.map(\.id) == ["udp-e"])
        #expect(registry.page(offset: 9, limit: 10).records.isEmpty)
        // A new device takes its place in the order.
        registry.sessionChanged(GatewaySessionEvent(session: try Self.session("bb", .connected, port: 3010)))
        #expect(registry.page(offset: 2, limit: 3).records.map(\.id) == ["udp-b", "udp-bb", "udp-c"])
        #expect(Set(registry.page(offset: 0, limit: .max).records) == Set(registry.records()))
    }

    @Test("The stream's devices event counts the list instead of carrying it")
    func devicesEventCounts() {
        let records = [
            DeviceRecord(id: "a", path: "/dev/a", origin: .configured, state: "connected", online: true, since: Date()),
            DeviceRecord(id: "u", path: "udp:x", origin: .udp, state: "lost", online: false, since: Date()),
        ]
        #expect(StatusFeed.message(for: .deviceList(records)) == "event: devices\ndata: {\"online\":1,\"total\":2}\n\n")
    }

    @Test("The page shows its rows, the totals and plain links to the pages before and after")
    func pageLinks() {
        let devices = (0..<3).map {
            DeviceRecord(
                id: "udp-\($0)",
                path: "udp:192.0.2.1:\($0)",
                origin: .udp,
                state: "connected",
                online: true,
                since: Date()
            )
        }
        let page = StatusPage(
            version: "1.0",
            started: Date(timeIntervalSince1970: 0),
            health: HealthReport(ready: true, stopping: false, listeners: 1, expectedListeners: 1, broker: .connected),
            devices: devices,
            deviceTotal: 10_000,
            sessions: [],
            sessionTotal: 10_000,
            page: PageRequest(offset: 300, limit: 3),
            events: [],
            console: [:],
            now: Date()
        ).render()
        #expect(page.contains("<small id=\"device-count\">10000</small>"))
        #expect(page.contains("rows <span class=\"rows\">301–303</span> of <span class=\"total\">10000</span>"))
        #expect(page.contains("<a rel=\"next\" href=\"/?offset=303&limit=3\">next 3 ›</a>"))
        #expect(page.contains("<a rel=\"prev\" href=\"/?offset=297&limit=3\">‹ previous 3</a>"))
        #expect(page.contains("<a href=\"/api/devices?offset=300&limit=3\">JSON</a>"))
        #expect(page.contains("data-offset=\"300\" data-limit=\"3\""))
        #expect(page.components(separatedBy: "<tr data-device=\"udp-").count == 4)
    }
}
