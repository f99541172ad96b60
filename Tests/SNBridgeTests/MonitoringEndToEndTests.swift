import Foundation
import TestSupport
import Testing

@testable import SNBridge

/// The monitoring listener from the outside: the real `snbridge run`, a real mosquitto, a UDP sensor on a real
/// socket and a simulated board on a socat pty cable; read over HTTP by Python's urllib and prometheus_client.
@Suite("Monitoring HTTP listener", .serialized)
struct MonitoringEndToEndTests {
    static func yaml(broker: Int, udp: Int, http: Int, extra: String = "") -> String {
        """
        broker: { url: "mqtt://127.0.0.1:\(broker)", reconnect: { initial_delay: 100ms, max_delay: 500ms } }
        udp: { listeners: ["127.0.0.1:\(udp)"] }
        discovery: { enabled: false }
        status: { interval: 1s }
        http: { listen: "127.0.0.1:\(http)" }
        \(extra)
        """
    }

    /// Runs `body`; when it throws, prints the bridge's last log lines first (a failed end-to-end test needs them).
    static func logOnFailure<Value>(_ bridge: SNBridgeProcess, _ body: () async throws -> Value) async throws -> Value {
        do {
            return try await body()
        } catch {
            let log = (bridge.process.output + bridge.process.errorOutput).suffix(120).joined(separator: "\n")
            throw MonitoringProbeError(description: "\(error)\nsnbridge log:\n\(log)")
        }
    }

    @Test("/metrics parses with prometheus_client and moves with traffic; /healthz is 503 while the broker is down")
    func metricsAndHealth() async throws {
        let directory = try SerialBridgeEndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var broker = try await MosquittoBroker.start()
        let brokerPort = broker.port
        let udpPort = try FreePort.udp()
        let httpPort = try FreePort.tcp()
        let bridge = try await SNBridgeProcess.start(
            yaml: Self.yaml(broker: brokerPort, udp: udpPort, http: httpPort),
            in: directory
        )
        try await bridge.waitForLog("Monitoring HTTP listening")
        let probe = MonitoringProbe(port: httpPort)

        let healthy = try await probe.waitFor("/healthz") { $0.status == 200 }
        #expect(healthy.body?.contains("\"broker\":\"connected\"") == true)
        #expect(try await probe.get("/readyz").status == 200)

        let before = try await probe.metrics()
        #expect(before.status == 200)
        #expect(before.content_type.hasPrefix("text/plain; version=0.0.4"))
        let types = try #require(before.types)
        // prometheus_client names a counter family without its _total suffix.
        #expect(types["snbridge_messages_in"] == "counter")
        #expect(types["snbridge_sessions"] == "gauge")
        #expect(types["snbridge_devices"] == "gauge")
        #expect(types["snbridge_open_file_descriptors"] == "gauge")
        let initial = try #require(before.samples)
        #expect(initial["snbridge_sessions{state=connected}"] == 0)
        #expect(initial["snbridge_upstream_connected{}"] == 1)
        #expect((initial["snbridge_open_file_descriptors{}"] ?? 0) > 0)

        let sensor = try await UDPSensor.start(gatewayPort: udpPort)
        #expect(try await sensor.connect(clientID: "sensor-1") == .accepted)
        let topicID = try await sensor.register("sensors/one/temperature", messageID: 1)
        for messageID in UInt16(2)...4 {
            #expect(
                try await sensor.publish(topicID: topicID, messageID: messageID, payload: "21.\(messageID)")
                    == .accepted
            )
        }
        let moved = try await probe.waitFor("/metrics") { response in
            guard let samples = response.samples else { return false }
            return samples["snbridge_sessions{state=connected}"] == 1
                && (samples["snbridge_messages_upstream_total{}"] ?? 0) >= 3
        }
        let samples = try #require(moved.samples)
        #expect((samples["snbridge_messages_in_total{}"] ?? 0) >= 5)
        #expect((samples["snbridge_messages_out_total{}"] ?? 0) >= 5)
        // Histograms: uplink latency (PUBLISH to the broker's PUBACK) and the upstream connect time.
        #expect(moved.types?["snbridge_uplink_latency_seconds"] == "histogram")
        #expect((samples["snbridge_uplink_latency_seconds_count{}"] ?? 0) >= 3)
        #expect((samples["snbridge_uplink_latency_seconds_bucket{le=+Inf}"] ?? 0) >= 3)
        #expect((samples["snbridge_upstream_connect_seconds_count{}"] ?? 0) >= 1)

        // The broker goes away: unhealthy, with the reason; not-ready would be wrong (the bridge still serves).
        await broker.stop()
        let down = try await probe.waitFor("/healthz") { $0.status == 503 }
        #expect(down.content_type == "application/json")
        #expect(down.body?.contains("\"reason\":\"broker disconnected\"") == true)
        #expect(try await probe.get("/readyz").status == 200)
        let downMetrics = try await probe.metrics()
        #expect(downMetrics.samples?["snbridge_upstream_connected{}"] == 0)

        // And comes back where it was: healthy again.
        broker = try await MosquittoBroker.start(port: brokerPort)
        try await probe.waitFor("/healthz") { $0.status == 200 }

        #expect(try await probe.get("/no-such-page").status == 404)

        await sensor.close()
        bridge.process.send(signal: SIGTERM)
        #expect(try await bridge.process.waitForExit(timeout: .seconds(15)) == 0)
        await broker.stop()
    }
}

extension MonitoringEndToEndTests {
    static func records(_ response: MonitoringProbe.Response) -> [DeviceRecord] {
        (try? StatusJSON.decode([DeviceRecord].self, from: response.body ?? "")) ?? []
    }

    @Test("A UDP sensor and a board: API, page, event stream, availability and Home Assistant discovery")
    func devicesEverywhere() async throws {
        let directory = try SerialBridgeEndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let broker = try await MosquittoBroker.start()
        let cable = try await SerialCable(in: directory)
        let boardID = DeviceDescriptor.configured(path: cable.bridgeEnd).id
        let sensorID = "udp-sensor-1"
        let udpPort = try FreePort.udp()
        let httpPort = try FreePort.tcp()
        let subscriber = try await MosquittoSubscriber.start(
            broker: broker,
            topics: ["snbridge/#", "homeassistant/#"],
            qos: 1
        )
        let bridge = try await SNBridgeProcess.start(
            yaml: Self.yaml(
                broker: broker.port,
                udp: udpPort,
                http: httpPort,
                extra: """
                    serial:
                      reopen_interval: 200ms
                      ports:
                        - { path: "\(cable.bridgeEnd)", link_keepalive: 2s }
                    """
            ).replacingOccurrences(
                of: "status: { interval: 1s }",
                with:
                    "status: { interval: 1s, forget_after: 2s, console_to_mqtt: true, homeassistant: { enabled: true } }"
            ),
            in: directory
        )
        try await bridge.waitForLog("Monitoring HTTP listening")
        let probe = MonitoringProbe(port: httpPort)
        let stream = try ChildProcess(
            executable: "/usr/bin/python3",
            arguments: [MonitoringProbe.script, "stream", probe.url("/api/events/stream")]
        )
        try await stream.waitForLine { $0.contains("\"event\": \"open\"") && $0.contains("text/event-stream") }

        // The board links, but is online only once its own MQTT-SN client connects.
        let board = try SimulatedDevice(arguments: ["--id", "c0ffee000002", cable.deviceEnd])
        try await board.waitForLine(startingWith: "linked")
        let linked = try await probe.waitFor("/api/devices") { response in
            Self.records(response).contains { $0.id == boardID && $0.state == "linked" }
        }
        #expect(Self.records(linked).first { $0.id == boardID }?.online == false)
        board.send("connect board-1 30 clean")
        try await board.waitForLine(startingWith: "connack 0")
        board.send("console hello from the board")

        let sensor = try await UDPSensor.start(gatewayPort: udpPort)
        #expect(try await sensor.connect(clientID: "sensor-1") == .accepted)
        let topicID = try await sensor.register("sensors/one/temperature", messageID: 1)
        #expect(try await sensor.publish(topicID: topicID, messageID: 2, payload: "20.5") == .accepted)

        let both = try await Self.logOnFailure(bridge) {
            try await probe.waitFor("/api/devices") { response in
                let records = Self.records(response)
                return records.contains { $0.id == boardID && $0.state == "connected" && $0.online == true }
                    && records.contains {
                        $0.id == sensorID && $0.online == true && ($0.counters?.messagesIn ?? 0) >= 3
                    }
            }
        }
        let sensorRecord = try #require(Self.records(both).first { $0.id == sensorID })
        #expect(sensorRecord.origin == .udp)
        #expect(sensorRecord.path == "udp:127.0.0.1:\(try #require(sensor.localPort))")
        #expect(sensorRecord.client == .init(id: "sensor-1", state: .connected))
        #expect(sensorRecord.lastSeen != nil)
        #expect(Self.records(both).first { $0.id == boardID }?.link == "linked")

        // Joined events on the broker and on the stream, and the sensor's own availability topic.
        try await subscriber.waitForMessage(where: DeviceStatusEndToEndTests.event("joined", sensorID))
        try await subscriber.waitForMessage(where: DeviceStatusEndToEndTests.availability(sensorID, "online"))
        try await stream.waitForLine {
            $0.contains("\"event\": \"device\"") && $0.contains("joined") && $0.contains(sensorID)
        }
        try await stream.waitForLine {
            $0.contains("\"event\": \"device\"") && $0.contains("joined") && $0.contains(boardID)
        }

        let sessions = try await probe.get("/api/sessions")
        #expect(sessions.content_type == "application/json")
        #expect(sessions.body?.contains("\"client_id\":\"sensor-1\"") == true)
        #expect(sessions.body?.contains("\"client_id\":\"board-1\"") == true)
        let events = try await probe.get("/api/events")
        #expect(events.body?.contains("\"event\":\"joined\"") == true)

        // The page: one document, no external resources, both devices server-rendered, console lines with it.
        let page = try await probe.waitFor("/") { $0.body?.contains("hello from the board") == true }
        let html = try #require(page.body)
        #expect(page.content_type.hasPrefix("text/html"))
        #expect(html.contains("data-device=\"\(boardID)\""))
        #expect(html.contains("data-device=\"\(sensorID)\""))
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("@import"))

        // Home Assistant: a connectivity binary sensor and diagnostic sensors per device, valid configs.
        for id in [boardID, sensorID] {
            let node = HomeAssistantDiscovery.nodeID(of: id)
            try await subscriber.waitForMessage(topic: "homeassistant/binary_sensor/\(node)/connectivity/config")
            try await subscriber.waitForMessage(topic: "homeassistant/sensor/\(node)/last_seen/config")
            try await subscriber.waitForMessage(topic: "snbridge/devices/\(id)/state")
            // Retained, so a Home Assistant started later finds them: what a new subscriber gets.
            let state = try await DeviceStatusEndToEndTests.retained(broker, "snbridge/devices/\(id)/state")
            #expect(state.retain && state.payload.contains("\"last_seen\""))
            let config = try await DeviceStatusEndToEndTests.retained(
                broker,
                "homeassistant/binary_sensor/\(node)/connectivity/config"
            )
            #expect(config.retain && config.payload.contains("\"unique_id\":\"\(node)_connectivity\""))
        }
        let configs = subscriber.messages.filter { $0.topic.hasPrefix("homeassistant/") && !$0.payload.isEmpty }
        #expect(configs.count >= 2 + 4 + 7)
        for config in configs {
            let problems = HomeAssistantConfigCheck.problems(
                topic: config.topic,
                payload: config.payload,
                prefix: "homeassistant",
                bridgeStatusTopic: "snbridge/bridge/status"
            )
            #expect(problems.isEmpty, "\(config.topic): \(problems)")
        }
        let connectivity = try #require(
            configs.first {
                $0.topic
                    == "homeassistant/binary_sensor/\(HomeAssistantDiscovery.nodeID(of: boardID))/connectivity/config"
            }
        )
        #expect(connectivity.payload.contains("\"device_class\":\"connectivity\""))
        #expect(connectivity.payload.contains("\"state_topic\":\"snbridge/devices/\(boardID)/availability\""))
        #expect(connectivity.payload.contains("\"sw_version\":"))

        // The sensor leaves: offline, a left event, and once forgotten its Home Assistant entities are removed.
        try await sensor.disconnect()
        try await subscriber.waitForMessage(where: DeviceStatusEndToEndTests.availability(sensorID, "offline"))
        try await subscriber.waitForMessage(where: DeviceStatusEndToEndTests.event("left", sensorID))
        try await stream.waitForLine { $0.contains("left") && $0.contains(sensorID) }
        let sensorNode = HomeAssistantDiscovery.nodeID(of: sensorID)
        try await subscriber.waitForMessage { message in
            message.topic == "homeassistant/binary_sensor/\(sensorNode)/connectivity/config" && message.payload.isEmpty
        }
        try await probe.waitFor("/api/devices") { response in !Self.records(response).contains { $0.id == sensorID } }
        try await subscriber.waitForMessage { message in
            message.topic == "homeassistant/sensor/\(sensorNode)/last_seen/config" && message.payload.isEmpty
        }

        // The board is unplugged: offline and left, on the stream without asking.
        await cable.unplug()
        try await stream.waitForLine { $0.contains("left") && $0.contains(boardID) }
        // A configured port that vanished is `lost`, then `error` once reopening it fails: offline either way.
        try await probe.waitFor("/api/devices") { response in
            Self.records(response).contains {
                $0.id == boardID && ["lost", "error"].contains($0.state) && $0.online == false
            }
        }
        board.terminate()
        await stream.terminate()
        await sensor.close()
        bridge.process.send(signal: SIGTERM)
        #expect(try await bridge.process.waitForExit(timeout: .seconds(15)) == 0)
        await subscriber.stop()
        await broker.stop()
    }

    @Test("A board whose HELLO is refused is in error with the reason, announced by an error event")
    func refusedBoardIsAnError() async throws {
        let directory = try SerialBridgeEndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let broker = try await MosquittoBroker.start()
        let cable = try await SerialCable(in: directory)
        let boardID = DeviceDescriptor.configured(path: cable.bridgeEnd).id
        let httpPort = try FreePort.tcp()
        let subscriber = try await MosquittoSubscriber.start(broker: broker, topics: ["snbridge/events"], qos: 1)
        let bridge = try await SNBridgeProcess.start(
            yaml: Self.yaml(
                broker: broker.port,
                udp: try FreePort.udp(),
                http: httpPort,
                extra: "serial: { reopen_interval: 200ms, ports: [\"\(cable.bridgeEnd)\"] }"
            ),
            in: directory
        )
        let board = try SimulatedDevice(arguments: ["--id", "c0ffee000003", "--versions", "9-9", cable.deviceEnd])
        try await board.waitForLine(startingWith: "rejected")
        let error = try await subscriber.waitForMessage(where: DeviceStatusEndToEndTests.event("error", boardID))
        #expect(error.payload.contains("unsupported protocol version"))
        let listed = try await MonitoringProbe(port: httpPort).waitFor("/api/devices") { response in
            Self.records(response).contains { $0.id == boardID && $0.state == "error" }
        }
        let record = try #require(Self.records(listed).first { $0.id == boardID })
        #expect(record.reason?.contains("HELLO refused: unsupported protocol version") == true)
        #expect(record.online == false)
        board.terminate()
        bridge.process.send(signal: SIGTERM)
        #expect(try await bridge.process.waitForExit(timeout: .seconds(15)) == 0)
        await subscriber.stop()
        await cable.unplug()
        await broker.stop()
    }
}

extension MonitoringEndToEndTests {
    static var browserScript: String {
        URL(fileURLWithPath: MonitoringProbe.script).deletingLastPathComponent()
            .appendingPathComponent("status_page_browser.py").path
    }

    @Test(
        "The status page in headless Chromium: both devices listed, and an unplugged board goes offline without a reload"
    )
    func statusPageInChromium() async throws {
        let directory = try SerialBridgeEndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let broker = try await MosquittoBroker.start()
        let cable = try await SerialCable(in: directory, name: "ttyGreenhouse")
        let boardID = DeviceDescriptor.configured(path: cable.bridgeEnd).id
        let udpPort = try FreePort.udp()
        let httpPort = try FreePort.tcp()
        let bridge = try await SNBridgeProcess.start(
            yaml: Self.yaml(
                broker: broker.port,
                udp: udpPort,
                http: httpPort,
                extra: """
                    serial:
                      reopen_interval: 200ms
                      ports:
                        - { path: "\(cable.bridgeEnd)", link_keepalive: 2s }
                    """
            ),
            in: directory
        )
        try await bridge.waitForLog("Monitoring HTTP listening")
        let probe = MonitoringProbe(port: httpPort)
        let board = try SimulatedDevice(arguments: ["--id", "c0ffee000004", "--name", "greenhouse", cable.deviceEnd])
        try await board.waitForLine(startingWith: "linked")
        board.send("connect greenhouse-board 30 clean")
        try await board.waitForLine(startingWith: "connack 0")
        board.send("console soil moisture 41%")
        let sensor = try await UDPSensor.start(gatewayPort: udpPort)
        #expect(try await sensor.connect(clientID: "weather-station") == .accepted)
        let topicID = try await sensor.register("weather/temperature", messageID: 1)
        #expect(try await sensor.publish(topicID: topicID, messageID: 2, payload: "18.5") == .accepted)
        try await probe.waitFor("/api/devices") { response in
            let records = Self.records(response)
            return records.contains { $0.id == boardID && $0.state == "connected" }
                && records.contains { $0.id == "udp-weather-station" && $0.online == true }
        }

        // Chromium's --dump-dom of the page as loaded: both devices with their states (the rows are server-rendered;
        // devicesEverywhere checks the HTML as sent, before any script).
        let dumpedDOM = try await ChildProcess.run(
            "/usr/bin/chromium",
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--user-data-dir=\(directory.appendingPathComponent("chromium-dump").path)", "--dump-dom",
                probe.url("/"),
            ],
            timeout: .seconds(60)
        )
        #expect(dumpedDOM.contains("<tr data-device=\"\(boardID)\">"))
        #expect(dumpedDOM.contains("<tr data-device=\"udp-weather-station\">"))
        #expect(dumpedDOM.contains("class=\"s-connected\">connected</td>"))

        // With JavaScript: live from the event stream; the board unplugged shows as lost in the open page.
        let browser = try ChildProcess(
            executable: "/usr/bin/python3",
            arguments: [Self.browserScript, probe.url("/"), directory.path, boardID, "lost|error", "1100", "640"]
        )
        let ready = try await browser.waitForLine(timeout: .seconds(60)) {
            $0.hasPrefix("ready") || $0.hasPrefix("error")
        }
        #expect(ready.hasPrefix("ready"), "\(browser.errorOutput.suffix(5))")
        await cable.unplug()
        let changed = try await browser.waitForLine(timeout: .seconds(60)) {
            $0.hasPrefix("changed") || $0.hasPrefix("error")
        }
        #expect(changed.hasPrefix("changed"), "\(browser.errorOutput.suffix(5))")
        let readyUpdates = Int(ready.split(separator: " ").last ?? "") ?? 0
        let changedUpdates = Int(changed.split(separator: " ").last ?? "") ?? 0
        #expect(changedUpdates > readyUpdates)
        let after = try String(contentsOf: directory.appendingPathComponent("after.html"), encoding: .utf8)
        #expect(after.contains("<tr data-device=\"\(boardID)\">"))
        #expect(after.contains("<tr data-device=\"udp-weather-station\">"))
        #expect(after.contains("id=\"live\">live</span>"))
        let screenshot = try Data(contentsOf: directory.appendingPathComponent("status-page.png"))
        #expect(screenshot.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        // `SNBRIDGE_SCREENSHOT=docs/status-page.png swift test --filter statusPageInChromium` refreshes the README's.
        if let destination = ProcessInfo.processInfo.environment["SNBRIDGE_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: destination)
            try screenshot.write(to: URL(fileURLWithPath: destination))
        }

        _ = try await browser.waitForExit(timeout: .seconds(20))
        board.terminate()
        await sensor.close()
        bridge.process.send(signal: SIGTERM)
        #expect(try await bridge.process.waitForExit(timeout: .seconds(15)) == 0)
        await broker.stop()
    }
}
