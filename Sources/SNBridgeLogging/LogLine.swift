import Logging

#if canImport(Glibc)
import Glibc
#endif

/// One log record rendered as one line in a ``LogFormat``, without the newline.
public struct LogLine: Sendable {
    public var level: Logger.Level
    public var message: String
    public var metadata: Logger.Metadata
    public var source: String
    /// Seconds and nanoseconds since the epoch (`CLOCK_REALTIME`).
    public var time: timespec

    public init(level: Logger.Level, message: String, metadata: Logger.Metadata, source: String, time: timespec) {
        self.level = level
        self.message = message
        self.metadata = metadata
        self.source = source
        self.time = time
    }

    public func rendered(as format: LogFormat) -> String {
        switch format {
        case .text:
            return "\(Self.timestamp(time)) \(level.rawValue) \(keyValueText)"
        case .journal:
            return "<\(syslogPriority)>\(keyValueText)"
        case .json:
            var fields: [(String, Logger.MetadataValue)] = [
                ("time", .string(Self.timestamp(time))), ("level", .string(level.rawValue)),
                ("source", .string(source)), ("message", .string(message)),
            ]
            fields += metadata.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            return LogJSON.object(fields)
        }
    }

    /// `Source: Message key=value key="quoted value"`.
    private var keyValueText: String {
        var line = "\(LogText.escaped(source)): \(LogText.escaped(message))"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += " \(LogText.escaped(key))=\(LogText.value(Self.text(value)))"
        }
        return line
    }

    /// RFC 5424 severity: debug 7, info 6, notice 5, warning 4, error 3, critical 2 (trace is debug too).
    public var syslogPriority: Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// A metadata value as text: strings as they are, lists `[a, b]`, dictionaries `[k: v]`.
    static func text(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array(let array): "[" + array.map(text).joined(separator: ", ") + "]"
        case .dictionary(let dictionary):
            "[" + dictionary.sorted { $0.key < $1.key }.map { "\($0.key): \(text($0.value))" }.joined(separator: ", ")
                + "]"
        }
    }

    /// `2026-12-01T19:05:00.123Z`: UTC, milliseconds.
    static func timestamp(_ time: timespec) -> String {
        var seconds = time.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ digits: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, digits - text.count)) + text
        }
        return pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2) + "T"
            + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2) + "."
            + pad(Int32(time.tv_nsec / 1_000_000), 3) + "Z"
    }
}
