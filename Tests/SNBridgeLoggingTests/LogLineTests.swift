import Logging
import SNBridgeLogging
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Log line formats")
struct LogLineTests {
    /// 2026-12-01T19:05:00.123Z
    static let time = timespec(tv_sec: 1_796_151_900, tv_nsec: 123_456_789)

    static func line(_ level: Logger.Level, _ metadata: Logger.Metadata = [:]) -> LogLine {
        LogLine(level: level, message: "Device console", metadata: metadata, source: "SNBridge", time: time)
    }

    @Test("Text: UTC time, level, source, message, then sorted key=value pairs with device text quoted")
    func text() {
        let rendered = Self.line(.info, ["device.path": "/dev/ttyACM0", "console.line": "hello device.id=forged"])
            .rendered(as: .text)
        #expect(
            rendered
                == "2026-12-01T19:05:00.123Z info SNBridge: Device console console.line=\"hello device.id=forged\" device.path=/dev/ttyACM0"
        )
    }

    @Test(
        "Journal: the syslog priority first and no timestamp",
        arguments: [
            (Logger.Level.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
        ]
    )
    func journal(_ level: Logger.Level, _ priority: Int) {
        let rendered = Self.line(level, ["device.path": "/dev/ttyACM0"]).rendered(as: .journal)
        #expect(rendered == "<\(priority)>SNBridge: Device console device.path=/dev/ttyACM0")
    }

    @Test("JSON: one object with time, level, source, message and every key; device text escaped")
    func json() {
        let rendered = Self.line(
            .warning,
            ["console.line": "\u{1B}[31m\"red\"\u{1B}[0m\n", "device.ids": ["a", "b"], "counts": ["in": "1"]]
        ).rendered(as: .json)
        #expect(
            rendered
                == #"{"time":"2026-12-01T19:05:00.123Z","level":"warning","source":"SNBridge","message":"Device console","console.line":"\u001b[31m\"red\"\u001b[0m\n","counts":{"in":"1"},"device.ids":["a","b"]}"#
        )
    }

    @Test("Lists and dictionaries render as one value in text")
    func nestedValues() {
        let rendered = Self.line(.info, ["listener.addresses": ["0.0.0.0:1884", "[::]:1884"]]).rendered(as: .text)
        #expect(rendered.hasSuffix(" listener.addresses=\"[0.0.0.0:1884, [::]:1884]\""))
    }
}
