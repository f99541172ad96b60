import SerialLink
import Testing

@testable import SNBridge

/// `--serial PATH[,key=value...]`: read like a `serial.ports` entry, with errors naming the option.
@Suite("--serial option")
struct SerialArgumentTests {
    private func resolve(_ arguments: [String]) throws -> SNBridgeConfiguration {
        try ConfigurationOptions.parse(arguments).resolve()
    }

    private func problems(_ arguments: [String]) -> [ConfigurationError] {
        do {
            _ = try resolve(arguments)
            return []
        } catch let errors as ConfigurationErrors {
            return errors.errors
        } catch {
            Issue.record("unexpected \(error)")
            return []
        }
    }

    @Test("A bare path opens the port with the serial.ports defaults")
    func barePath() throws {
        let ports = try resolve(["--serial", "/dev/ttyACM0"]).serialPorts
        #expect(ports == [SerialPortSettings(path: "/dev/ttyACM0")])
        #expect(ports.first?.port.baudRate == 115_200)
        #expect(ports.first?.mode == .framed)
    }

    @Test("Options after the path set baud, framing, reset and link keepalive; the option repeats")
    func optionsAndRepetition() throws {
        let ports = try resolve([
            "--serial", "/dev/ttyUSB0,baud=9600,framing=raw,reset=on-open,link_keepalive=5s",
            "--serial", "/dev/ttyAMA0",
        ]).serialPorts
        #expect(ports.map(\.path) == ["/dev/ttyUSB0", "/dev/ttyAMA0"])
        #expect(ports[0].port.baudRate == 9600)
        #expect(ports[0].mode == .rawMQTTSN)
        #expect(ports[0].port.resetPolicy == .onOpen)
        #expect(ports[0].linkKeepalive == .seconds(5))
    }

    @Test("A port the configuration file lists takes the option's settings; the file's other ports stay")
    func overridesTheFile() throws {
        var configuration = try SNBridgeConfiguration.parse(
            yaml: "serial: { ports: [{ path: /dev/ttyUSB0, baud: 9600 }, /dev/ttyAMA0] }"
        )
        var errors: [String] = []
        configuration.applySerialArguments(["/dev/ttyUSB0,baud=57600"]) { errors.append("\($0): \($1)") }
        #expect(errors.isEmpty)
        #expect(configuration.serialPorts.map(\.path) == ["/dev/ttyUSB0", "/dev/ttyAMA0"])
        #expect(configuration.serialPorts[0].port.baudRate == 57_600)
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var key: String
        var problemContains: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    @Test(
        "Bad --serial values are refused naming the option and the problem",
        arguments: [
            BadCase(arguments: ["--serial", "ttyACM0"], key: "--serial", problemContains: "absolute tty path"),
            BadCase(arguments: ["--serial", ""], key: "--serial", problemContains: "expected PATH[,baud=N]"),
            BadCase(arguments: ["--serial", "baud=9600"], key: "--serial", problemContains: "expected PATH[,baud=N]"),
            BadCase(
                arguments: ["--serial", "/dev/ttyACM0,baud=1234"],
                key: "--serial.baud",
                problemContains: "got '1234'"
            ),
            BadCase(
                arguments: ["--serial", "/dev/ttyACM0,framing=cobs"],
                key: "--serial.framing",
                problemContains: "snbridge, raw"
            ),
            BadCase(
                arguments: ["--serial", "/dev/ttyACM0,bud=9600"],
                key: "--serial.bud",
                problemContains: "did you mean 'baud'"
            ),
            BadCase(
                arguments: ["--serial", "/dev/ttyACM0,raw"],
                key: "--serial",
                problemContains: "expected key=value"
            ),
            BadCase(
                arguments: ["--serial", "/dev/ttyACM0,baud=9600,baud=19200"],
                key: "--serial.baud",
                problemContains: "given twice"
            ),
            BadCase(
                arguments: ["--serial", "/dev/ttyACM0", "--serial", "/dev/ttyACM0,baud=9600"],
                key: "--serial[1]",
                problemContains: "a second time"
            ),
        ]
    )
    func badValues(_ testCase: BadCase) {
        let found = problems(testCase.arguments)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.key == testCase.key, "\(found)")
        #expect(found.first?.problem.contains(testCase.problemContains) == true, "\(found)")
    }
}
