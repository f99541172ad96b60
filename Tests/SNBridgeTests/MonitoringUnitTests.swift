import Foundation
import GatewayCore
import Testing

@testable import SNBridge

/// The pieces under the monitoring listener: configuration keys, health, the page's escaping, the stream framing,
/// Home Assistant payloads and the systemd summary.
@Suite("Monitoring pieces")
struct MonitoringUnitTests {
    @Test("http.listen: default loopback, host:port, none, and a bad value named by key")
    func httpListenKey() throws {
        let defaults = try SNBridgeConfiguration.parse(yaml: "")
        #expect(defaults.http.listen == HostAndPort("127.0.0.1:9184", defaultPort: 0))
        #expect(defaults.http.perDeviceMetrics == false)
        #expect(try SNBridgeConfiguration.parse(yaml: "http: { listen: none }").http.listen == nil)
        let custom = try SNBridgeConfiguration.parse(yaml: "http: { listen: \"[::]:9000\", per_device_metrics: true }")
        #expect(custom.http.listen == HostAndPort("[::]:9000", defaultPort: 0))
        #expect(custom.http.perDeviceMetrics)
        #expect(throws: ConfigurationErrors.self) {
            try SNBridgeConfiguration.parse(yaml: "http: { listen: \"host:port\" }")
        }
        do {
            _ = try SNBridgeConfiguration.parse(
                yaml: "http: { listen: \"a:b\", lisen: 1 }\nstatus: { homeassistant: { prefix: \"ha/#\" } }"
            )
            Issue.record("bad http and homeassistant keys were accepted")
        } catch let errors as ConfigurationErrors {
            #expect(Set(errors.errors.map(\.key)) == ["http.listen", "http.lisen", "status.homeassistant.prefix"])
        }
    }

    @Test("status.homeassistant and status.forget_after")
    func homeAssistantKeys() throws {
        let configuration = try SNBridgeConfiguration.parse(
            yaml: "status: { forget_after: 90s, homeassistant: { enabled: true, prefix: ha } }"
        )
        #expect(configuration.status.homeAssistant == HomeAssistantSettings(enabled: true, prefix: "ha"))
        #expect(configuration.status.forgetAfter == .seconds(90))
        #expect(try SNBridgeConfiguration.parse(yaml: "").status.homeAssistant.enabled == false)
    }

    @Test("status.udp_devices: on by default in transparent mode, off in aggregating mode, either way when set")
    func udpDevicesKey() throws {
        let transparent = try SNBridgeConfiguration.parse(yaml: "")
        #expect(transparent.status.udpDevices == nil)
        #expect(transparent.status.listsUDPDevices(in: transparent.gateway.mode))
        let aggregating = try SNBridgeConfiguration.parse(yaml: "gateway: { mode: aggregating }")
        #expect(!aggregating.status.listsUDPDevices(in: aggregating.gateway.mode))
        let listed = try SNBridgeConfiguration.parse(
            yaml: "gateway: { mode: aggregating }\nstatus: { udp_devices: true }"
        )
        #expect(listed.status.listsUDPDevices(in: listed.gateway.mode))
        let unlisted = try SNBridgeConfiguration.parse(yaml: "status: { udp_devices: false }")
        #expect(!unlisted.status.listsUDPDevices(in: unlisted.gateway.mode))
        do {
            _ = try SNBridgeConfiguration.parse(yaml: "status: { udp_devices: sometimes }")
            Issue.record("a non-boolean status.udp_devices was accepted")
        } catch let errors as ConfigurationErrors {
            #expect(errors.errors.map(\.key) == ["status.udp_devices"])
        }
    }

    @Test("Health: starting, healthy, broker down, listeners missing, stopping")
    func health() {
        #expect(
            HealthReport(ready: false, stopping: false, listeners: 0, expectedListeners: 1, broker: .connected).reason
                == "starting"
        )
        let healthy = HealthReport(ready: true, stopping: false, listeners: 2, expectedListeners: 2, broker: .connected)
        #expect(healthy.isHealthy && healthy.status == "ok" && healthy.ready)
        let down = HealthReport(ready: true, stopping: false, listeners: 2, expectedListeners: 2, broker: .disconnected)
        #expect(down.reason == "broker disconnected" && down.ready)
        #expect(
            HealthReport(ready: true, stopping: false, listeners: 1, expectedListeners: 2, broker: .connected).reason
                == "1 of 2 UDP listeners not bound"
        )
        #expect(
            HealthReport(ready: true, stopping: false, listeners: 1, expectedListeners: 1, broker: .unmonitored)
                .isHealthy
        )
        let stopping = HealthReport(ready: true, stopping: true, listeners: 1, expectedListeners: 1, broker: .connected)
        #expect(stopping.reason == "shutting down" && !stopping.ready)
    }

    @Test("The page escapes what devices choose: ids, console lines, reasons")
    func pageEscapes() {
        let hostile = "<script>alert('x')</script>&\""
        let page = StatusPage(
            version: "1.0",
            started: Date(timeIntervalSince1970: 0),
            health: HealthReport(ready: true, stopping: false, listeners: 1, expectedListeners: 1, broker: .connected),
            devices: [
                DeviceRecord(
                    id: "udp-x",
                    path: "udp:192.0.2.1:1",
                    origin: .udp,
                    state: "error",
                    online: false,
                    reason: hostile,
                    since: Date(timeIntervalSince1970: 0),
                    client: .init(id: hostile, state: .connected)
                )
            ],
            deviceTotal: 1,
            sessions: [],
            sessionTotal: 0,
            page: PageRequest(limit: StatusPage.defaultLimit),
            events: [
                DeviceEventMessage(event: .error, device: hostile, path: "p", usbID: nil, reason: hostile, time: Date())
            ],
            console: ["udp-x": [hostile]],
            now: Date(timeIntervalSince1970: 100)
        ).render()
        #expect(!page.contains(hostile))
        #expect(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"))
        // Exactly one script element: the page's own.
        #expect(page.components(separatedBy: "<script>").count == 2)
        #expect(page.contains("1m 40s"))
    }

    @Test("Server-sent events: one event and one data line per announcement, nothing for availability")
    func streamFraming() {
        let event = DeviceEventMessage(
            event: .left,
            device: "d",
            path: "/dev/ttyUSB0",
            usbID: nil,
            reason: "line\nbreak",
            time: Date(timeIntervalSince1970: 0)
        )
        let frame = StatusFeed.message(for: .event(event))!
        #expect(frame.hasPrefix("event: device\ndata: {"))
        #expect(frame.hasSuffix("}\n\n"))
        #expect(frame.components(separatedBy: "\n").count == 4)
        #expect(StatusFeed.message(for: .availability(deviceID: "d", online: true)) == nil)
    }

    @Test("Home Assistant: ids fit the topic levels, every config passes the schema check")
    func homeAssistantConfigs() {
        #expect(HomeAssistantDiscovery.nodeID(of: "usb-10c4:ea60-0001.A2 B3") == "snbridge_usb-10c4_ea60-0001_A2_B3")
        let discovery = HomeAssistantDiscovery(prefix: "homeassistant", topics: StatusTopics(prefix: "snbridge"))
        let board = DeviceRecord(
            id: "usb-10c4:ea60-1",
            path: "/dev/ttyUSB0",
            usbID: "10c4:ea60",
            origin: .discovered,
            manufacturer: "Silicon Labs",
            product: "CP2102",
            state: "connected",
            since: Date(),
            firmware: "sim 1.0"
        )
        let sensor = DeviceRecord(id: "udp-s", path: "udp:192.0.2.1:5", origin: .udp, state: "connected", since: Date())
        let boardConfigs = discovery.configs(for: board)
        #expect(boardConfigs.count == 1 + HomeAssistantDiscovery.sensors.count)
        #expect(discovery.configs(for: sensor).count == 1 + 4)
        for config in boardConfigs + discovery.configs(for: sensor) {
            let problems = HomeAssistantConfigCheck.problems(
                topic: config.topic,
                payload: config.payload,
                prefix: "homeassistant",
                bridgeStatusTopic: "snbridge/bridge/status"
            )
            #expect(problems.isEmpty, "\(config.topic): \(problems)")
        }
        #expect(boardConfigs[0].payload.contains("\"manufacturer\":\"Silicon Labs\""))
        #expect(boardConfigs[0].payload.contains("\"sw_version\":\"sim 1.0\""))
        #expect(Set(discovery.configTopics(of: board.id)).isSuperset(of: boardConfigs.map(\.topic)))
    }

    @Test("The systemd summary line")
    func summary() {
        let devices = [
            DeviceRecord(
                id: "a",
                path: "/dev/a",
                origin: .configured,
                state: "connected",
                online: true,
                link: "linked",
                since: Date()
            ),
            DeviceRecord(
                id: "b",
                path: "/dev/b",
                origin: .discovered,
                state: "linked",
                online: false,
                link: "linked",
                since: Date()
            ),
            DeviceRecord(
                id: "u",
                path: "udp:x",
                origin: .udp,
                state: "asleep",
                online: true,
                link: "linked",
                since: Date()
            ),
        ]
        #expect(
            BridgeMonitor.summary(broker: .connected, sessions: 12, devices: DeviceTally(counting: devices))
                == "broker connected; 12 sessions; 2 boards linked; 2 devices online"
        )
        #expect(
            BridgeMonitor.summary(broker: .disconnected, sessions: 1, devices: DeviceTally())
                == "broker disconnected; 1 session; 0 boards linked; 0 devices online"
        )
    }
}
