import Foundation
import TestSupport
import Testing

/// The firmware makers flash, on emulated silicon: the device library and a small application built for a
/// Cortex-M3 (qemu-system-arm, MPS2 AN385) and an ATmega328P (simavr), each on a pty that the real `snbridge run`
/// opens as a serial port, against a real mosquitto. The board boots, links, connects, registers, subscribes,
/// publishes QoS 1 readings that reach mosquitto_sub in order, and answers a command published on the broker.
@Suite("Firmware on emulated microcontrollers through snbridge run", .serialized)
struct EmulatedBoardEndToEndTests {
    @Test(
        "A Cortex-M3 image under qemu publishes its readings and answers a command",
        .enabled(if: EmulatedBoard.emulatorInstalled(.cortexM3), "qemu-system-arm is not installed")
    )
    func cortexM3UnderQEMU() async throws {
        try await self.roundTrip(.cortexM3)
    }

    @Test(
        "An ATmega328P image under simavr publishes its readings and answers a command",
        .enabled(if: EmulatedBoard.emulatorInstalled(.atmega328p), "libsimavr-dev is not installed")
    )
    func atmega328pUnderSimavr() async throws {
        try await self.roundTrip(.atmega328p)
    }

    private func roundTrip(_ kind: EmulatedBoard.Kind) async throws {
        try await EmulatedBoard.buildFirmware()
        let directory = try SerialBridgeEndToEndTests.temporaryDirectory()
        let broker = try await MosquittoBroker.start()
        let prefix = "emulated/\(kind.rawValue)"
        let subscriber = try await MosquittoSubscriber.start(broker: broker, topics: ["\(prefix)/#"], qos: 1)
        let board = try await EmulatedBoard.boot(kind)
        let bridge = try await SNBridgeProcess.start(
            yaml: """
                broker: { url: "mqtt://127.0.0.1:\(broker.port)" }
                udp: { listeners: ["127.0.0.1:\(try FreePort.udp())"] }
                serial:
                  reopen_interval: 200ms
                  ports:
                    - { path: \(board.ttyPath), baud: 115200, link_keepalive: 5s }
                """,
            in: directory
        )

        try await bridge.waitForLog("Device linked", "device.hello_id=\(kind.deviceID)", timeout: .seconds(30))
        try await bridge.waitForLog("Device console", "\(kind.rawValue) linked", timeout: .seconds(30))

        // The first readings, each once, in order, at QoS 1 (the next is sent only after the PUBACK).
        for n in 1...3 {
            let reading = try await subscriber.waitForMessage(timeout: .seconds(30)) {
                $0.topic == "\(prefix)/reading" && $0.payload == "reading \(n)"
            }
            #expect(reading.qos == 1)
        }

        // Broker to board: the board only publishes readings once its SUBACK came, so the subscription is live.
        try await MosquittoPublisher.publish(broker: broker, topic: "\(prefix)/command", payload: "led-on", qos: 1)
        let answer = try await subscriber.waitForMessage(timeout: .seconds(30)) { $0.topic == "\(prefix)/ack" }
        #expect(answer.payload == "got led-on")
        #expect(answer.qos == 1)

        // Nothing lost or repeated meanwhile: the readings so far are 1, 2, 3, ... without a gap.
        let readings = subscriber.messages.filter { $0.topic == "\(prefix)/reading" }.map(\.payload)
        #expect(
            readings == (1...readings.count).map { "reading \($0)" },
            "bridge log: \(bridge.process.errorOutput.suffix(40))"
        )

        bridge.process.send(signal: SIGTERM)
        #expect(try await bridge.process.waitForExit(timeout: .seconds(15)) == 0)
        await board.stop()
        await subscriber.stop()
        await broker.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
