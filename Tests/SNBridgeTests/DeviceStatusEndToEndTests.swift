import Foundation
import TestSupport
import Testing

@testable import SNBridge

/// Device status on the broker, from the outside: the real `snbridge` binary, a real mosquitto, and simulated
/// boards on a socat pty cable or on ttys emulated by umockdev.
@Suite("Device status topics", .serialized)
struct DeviceStatusEndToEndTests {
    static func availability(_ id: String, _ payload: String) -> @Sendable (MosquittoReceivedMessage) -> Bool {
        { $0.topic == "snbridge/devices/\(id)/availability" && $0.payload == payload }
    }

    static func event(_ kind: String, _ id: String) -> @Sendable (MosquittoReceivedMessage) -> Bool {
        {
            $0.topic == "snbridge/events" && $0.payload.contains("\"event\":\"\(kind)\"")
                && $0.payload.contains("\"device\":\"\(id)\"")
        }
    }

    static func deviceList(containing id: String, state: String) -> @Sendable (MosquittoReceivedMessage) -> Bool {
        { message in
            guard message.topic == "snbridge/devices",
                let records = try? StatusJSON.decode([DeviceRecord].self, from: message.payload)
            else { return false }
            return records.contains { $0.id == id && $0.state == state }
        }
    }

    /// What a new subscriber gets from the broker's retained store for `topic`.
    static func retained(_ broker: MosquittoBroker, _ topic: String) async throws -> MosquittoReceivedMessage {
        let subscriber = try await MosquittoSubscriber.start(broker: broker, topics: [topic], qos: 1)
        defer { Task { await subscriber.stop() } }
        return try await subscriber.waitForMessage(topic: topic)
    }

    @Test(
        "A configured board: linked, then online once its client connects, unplug gives offline, its will and left, replug online again"
    )
    func configuredBoardStatus() async throws {
        let directory = try SerialBridgeEndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let broker = try await MosquittoBroker.start()
        let cable = try await SerialCable(in: directory)
        let id = DeviceDescriptor.configured(path: cable.bridgeEnd).id
        let missingPort = directory.appendingPathComponent("tty-never-plugged").path
        let missingID = DeviceDescriptor.configured(path: missingPort).id
        let subscriber = try await MosquittoSubscriber.start(broker: broker, topics: ["snbridge/#", "board/#"], qos: 1)
        let bridge = try await SNBridgeProcess.start(
            yaml: """
                broker: { url: "mqtt://127.0.0.1:\(broker.port)" }
                udp: { listeners: ["127.0.0.1:\(try FreePort.udp())"] }
                discovery: { enabled: false }
                status: { interval: 1s, console_to_mqtt: true }
                serial:
                  reopen_interval: 200ms
                  ports:
                    - { path: "\(cable.bridgeEnd)", link_keepalive: 2s }
                    - "\(missingPort)"
                """,
            in: directory
        )
        try await subscriber.waitForMessage { $0.topic == "snbridge/bridge/status" && $0.payload == "online" }

        let device = try SimulatedDevice(arguments: ["--id", "c0ffee000001", cable.deviceEnd])
        try await device.waitForLine(startingWith: "linked")
        // Linked is not online: the board's own MQTT-SN client has not connected yet.
        try await subscriber.waitForMessage(where: Self.deviceList(containing: id, state: "linked"))
        #expect(!subscriber.messages.contains(where: Self.availability(id, "online")))
        device.send("console hello from the bench")
        let console = try await subscriber.waitForMessage(topic: "snbridge/devices/\(id)/console")
        #expect(console.payload == "hello from the bench")
        // A port that cannot be opened is an error, announced once however often it is retried.
        let failure = try await subscriber.waitForMessage(where: Self.event("error", missingID))
        #expect(failure.payload.contains("cannot open"))
        device.send("will board/status 1 gone")
        device.send("connect board-7 30 clean")
        try await device.waitForLine(startingWith: "connack 0")
        try await subscriber.waitForMessage(where: Self.availability(id, "online"))
        try await subscriber.waitForMessage(where: Self.event("joined", id))
        device.send("publish board/temperature 1 19.5")
        try await device.waitForLine(startingWith: "puback")
        // The monitor samples sessions every second: the list shows the MQTT-SN client connected, with traffic.
        // The client state is announced at once; the frame counters come with the monitor's next sample.
        let listed = try await subscriber.waitForMessage { message in
            Self.deviceList(containing: id, state: "connected")(message)
                && ((try? StatusJSON.decode([DeviceRecord].self, from: message.payload))?.first { $0.id == id }?
                    .counters?.framesIn ?? 0) > 0
        }
        let record = try #require(
            try StatusJSON.decode([DeviceRecord].self, from: listed.payload).first { $0.id == id }
        )
        #expect(record.path == cable.bridgeEnd)
        #expect(record.origin == .configured)
        #expect(record.helloID == "c0ffee000001")
        #expect(record.client?.id == "board-7")
        #expect((record.counters?.framesIn ?? 0) > 0)
        // Retained, so a dashboard that starts later sees it.
        let retainedAvailability = try await Self.retained(broker, "snbridge/devices/\(id)/availability")
        #expect(retainedAvailability.retain && retainedAvailability.payload == "online")
        let retainedStatus = try await Self.retained(broker, "snbridge/bridge/status")
        #expect(retainedStatus.retain && retainedStatus.payload == "online")

        // Unplug: offline, the board's will, and a left event; the bridge keeps running.
        await cable.unplug()
        try await subscriber.waitForMessage(where: Self.availability(id, "offline"))
        let will = try await subscriber.waitForMessage(topic: "board/status")
        #expect(will.payload == "gone")
        let left = try await subscriber.waitForMessage(where: Self.event("left", id))
        let leftEvent = try StatusJSON.decode(DeviceEventMessage.self, from: left.payload)
        #expect(leftEvent.path == cable.bridgeEnd)
        device.terminate()

        // Replug: online again, announced again (a new subscriber sees only what happens from now on, after the
        // retained offline).
        let afterReplug = try await MosquittoSubscriber.start(broker: broker, topics: ["snbridge/#"], qos: 1)
        try await cable.plugIn()
        let replugged = try SimulatedDevice(arguments: ["--id", "c0ffee000001", cable.deviceEnd])
        try await replugged.waitForLine(startingWith: "linked", timeout: .seconds(15))
        replugged.send("connect board-7 30 clean")
        try await replugged.waitForLine(startingWith: "connack 0")
        try await afterReplug.waitForMessage(where: Self.availability(id, "online"))
        try await afterReplug.waitForMessage(where: Self.event("joined", id))
        await afterReplug.stop()

        #expect(subscriber.messages.filter(Self.event("error", missingID)).count == 1)
        // Its retries are counted in the list, which is republished (every status.interval) as counters change.
        try await subscriber.waitForMessage { message in
            guard message.topic == "snbridge/devices",
                let records = try? StatusJSON.decode([DeviceRecord].self, from: message.payload),
                let missing = records.first(where: { $0.id == missingID })
            else { return false }
            return missing.state == "error" && (missing.counters?.opens ?? 0) > 1
        }

        // SIGTERM: the bridge and its devices go offline, retained.
        bridge.process.send(signal: SIGTERM)
        #expect(try await bridge.process.waitForExit(timeout: .seconds(15)) == 0)
        try await subscriber.waitForMessage { $0.topic == "snbridge/bridge/status" && $0.payload == "offline" }
        let finalAvailability = try await Self.retained(broker, "snbridge/devices/\(id)/availability")
        #expect(finalAvailability.payload == "offline")

        replugged.terminate()
        await subscriber.stop()
        await cable.unplug()
        await broker.stop()
    }

    @Test("snbridge devices --json prints a JSON array, empty rather than an error when nothing is there")
    func devicesCommandWithoutDevices() async throws {
        let output = try await ChildProcess.run(
            SNBridgeProcess.executable,
            ["devices", "--json"],
            timeout: .seconds(30)
        )
        let parsed = try JSONSerialization.jsonObject(with: Data(output.utf8))
        #expect(parsed is [Any])
        let table = try await ChildProcess.run(SNBridgeProcess.executable, ["devices"], timeout: .seconds(30))
        #expect(table.hasPrefix("PATH") || table == "No serial devices found.")
    }

    @Test("snbridge devices --broker exits 69 naming the broker when it cannot be reached")
    func devicesCommandWithUnreachableBroker() async throws {
        let port = try FreePort.tcp()
        let command = try ChildProcess(
            executable: SNBridgeProcess.executable,
            arguments: ["devices", "--json", "--broker", "mqtt://127.0.0.1:\(port)", "--timeout", "5"]
        )
        #expect(try await command.waitForExit(timeout: .seconds(30)) == 69)
        let message = command.errorOutput.last ?? ""
        #expect(
            message.hasPrefix("snbridge: no live device state: the broker at 127.0.0.1:\(port) cannot be reached ("),
            "\(command.errorOutput)"
        )
        #expect(!message.contains("NIOConnectionError"), "\(message)")
    }

    @Test("snbridge devices marks the devices of a bridge whose status topic says offline")
    func devicesCommandWithOfflineBridge() async throws {
        let broker = try await MosquittoBroker.start()
        let record = DeviceRecord(
            id: "serial-dev_ttyAMA0",
            path: "/dev/ttyAMA0",
            origin: .configured,
            state: "linked",
            since: Date()
        )
        try await MosquittoPublisher.publish(
            broker: broker,
            topic: "snbridge/bridge/status",
            payload: "offline",
            qos: 1,
            retain: true
        )
        try await MosquittoPublisher.publish(
            broker: broker,
            topic: "snbridge/devices",
            payload: StatusJSON.encode([record]),
            qos: 1,
            retain: true
        )
        let command = try ChildProcess(
            executable: SNBridgeProcess.executable,
            arguments: ["devices", "--json", "--broker", "mqtt://127.0.0.1:\(broker.port)"]
        )
        #expect(try await command.waitForExit(timeout: .seconds(30)) == 0)
        let rows = try JSONSerialization.jsonObject(with: Data(command.output.joined().utf8)) as? [[String: Any]] ?? []
        let row = try #require(rows.first { $0["id"] as? String == record.id })
        #expect(row["state"] as? String == "linked, bridge offline")
        #expect(command.errorOutput.contains { $0.contains("the bridge is offline") })
        await broker.stop()
    }

    @Test(
        "Under umockdev: a CP2102 plugged in links and is online once its client connects, data flowing, removal takes it offline with its will, re-adding brings it back",
        .enabled(if: UMockdevBridgeTestbed.isAvailable)
    )
    func hotpluggedBoardUnderUMockdev() async throws {
        let directory = try SerialBridgeEndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let broker = try await MosquittoBroker.start()
        let testbed = try await UMockdevBridgeTestbed.launch(in: directory)
        let subscriber = try await MosquittoSubscriber.start(broker: broker, topics: ["snbridge/#", "board/#"], qos: 1)
        let config = directory.appendingPathComponent("snbridge.yaml")
        try """
        broker: { url: "mqtt://127.0.0.1:\(broker.port)" }
        udp: { listeners: ["127.0.0.1:\(try FreePort.udp())"] }
        discovery:
          enabled: true
          match: [{ name: greenhouse, usb_id: "10c4:ea60", client_id_prefix: "gh-" }]
        serial: { reopen_interval: 200ms }
        """.write(to: config, atomically: true, encoding: .utf8)
        let command = testbed.preloadedCommand([
            SNBridgeProcess.executable, "run", "--config", config.path, "--log-level", "debug",
            "--state-directory", directory.appendingPathComponent("state").path,
        ])
        let bridge = try ChildProcess(executable: command.executable, arguments: command.arguments)
        do {
            try await bridge.waitForLine(timeout: .seconds(20)) { $0.contains("Device discovery started") }

            // Plug in: udev "add", snbridge opens the emulated tty, the board links and publishes.
            let board = EmulatedUSBSerialBoard.cp2102(ttyName: "ttyUSB0")
            let id = board.expectedIdentity
            try await testbed.add(board.umockdevDescription)
            try await testbed.relay(board.devnode, to: directory.appendingPathComponent("board-0").path)
            let device = try SimulatedDevice(arguments: [
                "--id", "5e5e5e000001", directory.appendingPathComponent("board-0").path,
            ])
            try await device.waitForLine(startingWith: "linked", timeout: .seconds(15))
            try await bridge.waitForLine { $0.contains("Device linked") && $0.contains("device.id=\(id)") }
            device.send("will board/status 1 unplugged")
            device.send("connect board-umockdev 30 clean")
            try await device.waitForLine(startingWith: "connack 0")
            try await subscriber.waitForMessage(where: Self.availability(id, "online"))
            // The matching rule's client_id_prefix is the board's session name on the broker.
            try await broker.waitForLog { $0.contains("New client connected") && $0.contains(" as gh-board-umockdev ") }
            device.send("publish board/temperature 1 23.25")
            try await device.waitForLine(startingWith: "puback")
            let reading = try await subscriber.waitForMessage(topic: "board/temperature")
            #expect(reading.payload == "23.25")
            let listed = try await subscriber.waitForMessage(where: Self.deviceList(containing: id, state: "connected"))
            let record = try #require(
                try StatusJSON.decode([DeviceRecord].self, from: listed.payload).first { $0.id == id }
            )
            #expect(record.usbID == "10c4:ea60")
            #expect(record.rule == "greenhouse")
            #expect(record.path == "/dev/ttyUSB0")

            // `snbridge devices` in the same bed sees the board through udev and its live state through the broker.
            let listCommand = testbed.preloadedCommand(
                [SNBridgeProcess.executable, "devices", "--json", "--broker", "mqtt://127.0.0.1:\(broker.port)"]
            )
            let listing = try await ChildProcess.run(listCommand.executable, listCommand.arguments)
            let rows = try JSONSerialization.jsonObject(with: Data(listing.utf8)) as? [[String: Any]] ?? []
            let row = try #require(rows.first { $0["id"] as? String == id })
            #expect(row["path"] as? String == "/dev/ttyUSB0")
            #expect(row["usb_id"] as? String == "10c4:ea60")
            #expect(row["rule"] as? String == "cp210x")
            #expect(row["state"] as? String == "connected")
            #expect(row["source"] as? String == "udev+bridge")

            // Unplug: udev "remove"; the port closes, the board's will fires, the device goes offline and leaves.
            try await testbed.remove(board.syspathsLeafFirst)
            try await testbed.stopRelay(board.devnode)
            try await subscriber.waitForMessage(where: Self.availability(id, "offline"))
            let will = try await subscriber.waitForMessage(topic: "board/status")
            #expect(will.payload == "unplugged")
            try await subscriber.waitForMessage(where: Self.event("left", id))
            device.terminate()

            // Plug in again (the kernel picks another tty name): same identity, online again.
            let afterReplug = try await MosquittoSubscriber.start(broker: broker, topics: ["snbridge/#"], qos: 1)
            let again = EmulatedUSBSerialBoard.cp2102(ttyName: "ttyUSB1")
            try await testbed.add(again.umockdevDescription)
            try await testbed.relay(again.devnode, to: directory.appendingPathComponent("board-1").path)
            let replugged = try SimulatedDevice(arguments: [
                "--id", "5e5e5e000001", directory.appendingPathComponent("board-1").path,
            ])
            try await replugged.waitForLine(startingWith: "linked", timeout: .seconds(15))
            replugged.send("connect board-umockdev 30 clean")
            try await replugged.waitForLine(startingWith: "connack 0")
            try await afterReplug.waitForMessage(where: Self.availability(id, "online"))
            try await afterReplug.waitForMessage(where: Self.event("joined", id))
            await afterReplug.stop()
            let relisted = try await Self.retained(broker, "snbridge/devices")
            let moved = try #require(
                try StatusJSON.decode([DeviceRecord].self, from: relisted.payload).first { $0.id == id }
            )
            #expect(moved.path == "/dev/ttyUSB1")

            bridge.send(signal: SIGTERM)
            #expect(try await bridge.waitForExit(timeout: .seconds(15)) == 0)
            replugged.terminate()
        } catch {
            print("snbridge output:\n" + (bridge.output + bridge.errorOutput).joined(separator: "\n"))
            await bridge.terminate()
            await testbed.shutdown()
            await subscriber.stop()
            await broker.stop()
            throw error
        }
        await testbed.shutdown()
        await subscriber.stop()
        await broker.stop()
    }
}
