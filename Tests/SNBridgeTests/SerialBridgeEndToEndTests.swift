import Foundation
import TestSupport
import Testing

/// The whole bridge from the outside: the real `snbridge` binary, a real mosquitto, and the C reference library
/// (`snbridge-simdevice`) on the far end of a pty cable, checked with mosquitto_sub and mosquitto_pub.
@Suite("snbridge run with a serial device", .serialized)
struct SerialBridgeEndToEndTests {
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "snbridge-e2e-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test("A board publishes and receives through snbridge, its unplug fires its will, and a replug relinks")
    func boardRoundTripUnplugAndReplug() async throws {
        let fixture = try await SerialBridgeFixture.start(
            serialPort: "{ path: PATH, baud: 115200, link_keepalive: 2s }",
            topics: ["board/#"]
        )
        let (broker, cable, bridge, subscriber) = (fixture.broker, fixture.cable, fixture.bridge, fixture.subscriber)

        // Boot amid ROM noise, link, connect with a will, publish QoS 1.
        let device = try SimulatedDevice(arguments: ["--banner", "--id", "a1b2c3d4e5f6", cable.deviceEnd])
        try await device.waitForLine(startingWith: "linked")
        try await bridge.waitForLog("Device linked", "device.hello_id=a1b2c3d4e5f6", "device.id=serial-")
        device.send("console hello from the board")
        try await bridge.waitForLog("Device console", "hello from the board")
        device.send("will board/status 1 gone")
        device.send("connect board-1 30 clean")
        try await device.waitForLine(startingWith: "connack 0")
        device.send("publish board/temperature 1 21.5")
        try await device.waitForLine(startingWith: "puback")
        let reading = try await subscriber.waitForMessage(topic: "board/temperature")
        #expect(reading.payload == "21.5")

        // Broker to board.
        device.send("subscribe board/command 1")
        try await device.waitForLine(startingWith: "suback")
        try await MosquittoPublisher.publish(broker: broker, topic: "board/command", payload: "led-on", qos: 1)
        let message = try await device.waitForLine(startingWith: "message")
        #expect(message.hasSuffix(" led-on"))

        // Unplug: the port closes, the session is lost at once, the broker publishes the will.
        await cable.unplug()
        let will = try await subscriber.waitForMessage(topic: "board/status")
        #expect(will.payload == "gone")
        try await bridge.waitForLog("Serial port closed")
        device.terminate()

        // Replug on the same path: snbridge reopens it by itself and the board is back on the broker.
        try await cable.plugIn()
        let replugged = try SimulatedDevice(arguments: ["--id", "a1b2c3d4e5f6", cable.deviceEnd])
        try await replugged.waitForLine(startingWith: "linked", timeout: .seconds(15))
        replugged.send("connect board-1 30 clean")
        try await replugged.waitForLine(startingWith: "connack 0")
        replugged.send("publish board/temperature 1 22.0")
        try await replugged.waitForLine(startingWith: "puback")
        try await subscriber.waitForMessage { $0.topic == "board/temperature" && $0.payload == "22.0" }

        // SIGTERM: the board gets DISCONNECT, snbridge exits cleanly.
        try await fixture.stop { try await replugged.waitForLine(startingWith: "disconnected") }
        replugged.terminate()
    }

    @Test("A sleeping board's messages wait in the gateway and arrive when it wakes; QoS 0 readings pass through")
    func sleepingBoardGetsBufferedMessagesOnWake() async throws {
        let fixture = try await SerialBridgeFixture.start(
            serialPort: "PATH",
            extraYAML: "status: { enabled: false }",
            topics: ["sleepy/#"]
        )
        let (broker, cable, bridge, subscriber) = (fixture.broker, fixture.cable, fixture.bridge, fixture.subscriber)
        let device = try SimulatedDevice(arguments: [cable.deviceEnd])
        try await device.waitForLine(startingWith: "linked")
        device.send("connect sleepy-1 30 clean")
        try await device.waitForLine(startingWith: "connack 0")
        device.send("publish sleepy/reading 0 7")
        let reading = try await subscriber.waitForMessage(topic: "sleepy/reading")
        #expect(reading.payload == "7")
        #expect(reading.qos == 0)

        device.send("subscribe sleepy/config 1")
        try await device.waitForLine(startingWith: "suback")
        device.send("sleep 60")
        try await device.waitForLine(startingWith: "disconnected")
        try await MosquittoPublisher.publish(broker: broker, topic: "sleepy/config", payload: "interval=5", qos: 1)

        // mosquitto_pub returning means the broker has the message, not that it has reached the gateway yet; a
        // wake before that finds nothing buffered and the board goes back to sleep. So wake until the message
        // comes, checking each time that it arrives only inside an awake period: after the awake PINGREQ and
        // before the PINGRESP that closes it (MQTT-SN 6.14).
        var delivered = false
        var wake = 0
        let deadline = ContinuousClock.now + .seconds(15)
        while !delivered, ContinuousClock.now < deadline {
            wake += 1
            let printedBeforeWake = device.printed.count
            #expect(!device.printed.contains { $0.hasSuffix(" interval=5") }, "delivered to a sleeping board")
            device.send("wake")
            try await device.waitForLine(startingWith: "pingresp", occurrence: wake)
            let awake = Array(device.printed.dropFirst(printedBeforeWake))
            if let messageIndex = awake.firstIndex(where: { $0.hasPrefix("message") && $0.hasSuffix(" interval=5") }) {
                let pingResponseIndex = awake.firstIndex { $0.hasPrefix("pingresp") } ?? awake.endIndex
                #expect(messageIndex < pingResponseIndex)
                delivered = true
            } else {
                device.send("sleep 60")
                try await device.waitForLine(startingWith: "disconnected", occurrence: wake + 1)
                // Each round trips through the bridge; pace them so a slow broker gets real time, not just turns.
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        #expect(
            delivered,
            "the message published while asleep never arrived; device printed \(device.printed); bridge log: \(bridge.process.errorOutput.suffix(60).joined(separator: "\n"))"
        )

        try await fixture.stop()
        device.terminate()
    }

    @Test("A board speaking raw MQTT-SN (compatibility framing) works without reflashing")
    func rawCompatibilityMode() async throws {
        let fixture = try await SerialBridgeFixture.start(
            serialPort: "{ path: PATH, framing: raw }",
            topics: ["legacy/#"]
        )
        let (cable, subscriber) = (fixture.cable, fixture.subscriber)
        let device = try SimulatedDevice(arguments: ["--raw", cable.deviceEnd])
        try await device.waitForLine(startingWith: "ready")
        device.send("connect legacy-1 30 clean")
        try await device.waitForLine(startingWith: "connack 0")
        device.send("publish legacy/value 1 42")
        try await device.waitForLine(startingWith: "puback")
        let message = try await subscriber.waitForMessage(topic: "legacy/value")
        #expect(message.payload == "42")

        try await fixture.stop()
        device.terminate()
    }

    @Test("snbridge run --serial PATH,framing=raw opens the port the option names, with no serial.ports in the file")
    func serialOption() async throws {
        let fixture = try await SerialBridgeFixture.start(
            serialArgument: "PATH,framing=raw,baud=115200",
            topics: ["quick/#"]
        )
        let (cable, subscriber) = (fixture.cable, fixture.subscriber)
        let device = try SimulatedDevice(arguments: ["--raw", cable.deviceEnd])
        try await device.waitForLine(startingWith: "ready")
        device.send("connect quick-1 30 clean")
        try await device.waitForLine(startingWith: "connack 0")
        device.send("publish quick/start 1 ok")
        try await device.waitForLine(startingWith: "puback")
        #expect(try await subscriber.waitForMessage(topic: "quick/start").payload == "ok")

        try await fixture.stop()
        device.terminate()
    }
}
