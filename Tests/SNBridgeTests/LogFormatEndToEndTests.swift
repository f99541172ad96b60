import Foundation
import TestSupport
import Testing

/// snbridge's log lines from the outside: the real binary, a board's console text with terminal escapes, a forged
/// key and a byte that is not UTF-8, in the text and JSON formats and under systemd's journal stream.
@Suite("snbridge run's log formats", .serialized)
struct LogFormatEndToEndTests {
    /// ESC[0;32m I (42) app: ok ESC[0m device.id=forged 0xFF CR LF, as ESP-IDF's coloured log would print it.
    static let hostileConsoleLine =
        "1b5b303b33326d492028343229206170703a206f6b1b5b306d206465766963652e69643d666f7267656420ff0d0a"

    @Test("Text: a console line is one quoted value, its escapes and its forged key inert; shutdown logs no warning")
    func textEscapesConsoleText() async throws {
        let fixture = try await SerialBridgeFixture.start(serialPort: "PATH", topics: ["none/#"])
        let device = try SimulatedDevice(arguments: ["--id", "c0ffee000042", fixture.cable.deviceEnd])
        try await device.waitForLine(startingWith: "linked")
        device.send("garbage \(Self.hostileConsoleLine)")
        let line = try await fixture.bridge.waitForLog("Device console")
        #expect(!line.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(line)")
        #expect(line.contains(#"console.line="\x1b[0;32mI (42) app: ok\x1b[0m device.id=forged \#u{FFFD}""#), "\(line)")
        #expect(line.contains(" device.id=serial-"), "the device's own id is the port identity: \(line)")
        #expect(
            line.range(
                of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info SNBridge: Device console "#,
                options: .regularExpression
            ) != nil,
            "\(line)"
        )

        try await fixture.stop()
        device.terminate()
        let warnings = fixture.bridge.process.errorOutput.filter { $0.contains(" warning ") || $0.contains(" error ") }
        #expect(warnings.isEmpty, "a clean run and shutdown logged: \(warnings)")
    }

    @Test("log.format: json writes one object per line, with the console text intact inside its escaping")
    func json() async throws {
        let fixture = try await SerialBridgeFixture.start(
            serialPort: "PATH",
            extraYAML: "log: { format: json }",
            topics: ["none/#"]
        )
        let device = try SimulatedDevice(arguments: ["--id", "c0ffee000043", fixture.cable.deviceEnd])
        try await device.waitForLine(startingWith: "linked")
        device.send("garbage \(Self.hostileConsoleLine)")
        let line = try await fixture.bridge.waitForLog("Device console")
        #expect(!line.unicodeScalars.contains { $0.value < 0x20 }, "\(line)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["message"] == "Device console")
        #expect(object["level"] == "info")
        #expect(object["console.line"] == "\u{1B}[0;32mI (42) app: ok\u{1B}[0m device.id=forged \u{FFFD}")
        #expect(object["device.id"]?.hasPrefix("serial-") == true)
        for logged in fixture.bridge.process.errorOutput where logged.hasPrefix("{") {
            #expect((try? JSONSerialization.jsonObject(with: Data(logged.utf8))) != nil, "not JSON: \(logged)")
        }
        try await fixture.stop()
        device.terminate()
    }

    @Test("Under systemd's journal stream every line starts with its syslog priority and has no timestamp")
    func journal() async throws {
        let broker = try await MosquittoBroker.start()
        let directory = try SerialBridgeEndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try SNBridgeProcess.writeConfiguration(brokerPort: broker.port, in: directory)
        // What systemd does: JOURNAL_STREAM names the device and inode of the stream on standard error.
        let bridge = try ChildProcess(
            executable: "/bin/sh",
            arguments: [
                "-c", "JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec \"$0\" run --config \"$1\"",
                SNBridgeProcess.executable, file.path,
            ]
        )
        try await bridge.waitForLine(timeout: .seconds(20)) { $0.contains("MQTT-SN listening on UDP") }
        bridge.send(signal: SIGTERM)
        #expect(try await bridge.waitForExit(timeout: .seconds(15)) == 0)
        let lines = bridge.errorOutput
        #expect(
            lines.contains("<6>SNBridge: Starting snbridge")
                || lines.contains { $0.hasPrefix("<6>SNBridge: Starting snbridge ") },
            "\(lines)"
        )
        for line in lines {
            #expect(line.range(of: #"^<[2-7]>[A-Za-z]+: "#, options: .regularExpression) != nil, "\(line)")
        }
        let warnings = lines.filter { $0.hasPrefix("<4>") || $0.hasPrefix("<3>") }
        #expect(warnings.isEmpty, "warnings in a clean run: \(lines)")
        await broker.stop()
    }
}
