#if canImport(Glibc)
import Glibc
#endif

/// How `snbridge` writes its log lines to standard error (`log.format`).
///
/// ```
/// text     2026-12-01T19:05:00.123Z info SNBridge: Device linked device.id=usb-2e8a:000a-E6614C31-if00 device.path=/dev/ttyACM0
/// journal  <6>SNBridge: Device linked device.id=usb-2e8a:000a-E6614C31-if00 device.path=/dev/ttyACM0
/// json     {"time":"2026-12-01T19:05:00.123Z","level":"info","source":"SNBridge","message":"Device linked","device.id":"usb-..."}
/// ```
public enum LogFormat: String, Sendable, CaseIterable {
    /// A UTC timestamp, the level, the source module, the message, then `key=value` pairs (sorted by key; a value
    /// with a space, `=`, `"` or a control character is quoted and escaped, so device text cannot imitate a key).
    case text
    /// For journald: the syslog priority as `<N>` (which journald turns into the entry's priority, so
    /// `journalctl -p warning` works) and no timestamp (journald has its own); otherwise as ``text``.
    case journal
    /// One JSON object per line: `time`, `level`, `source`, `message` and every metadata key.
    case json

    /// ``journal`` when standard error is the journal stream systemd connected (`JOURNAL_STREAM` names its device
    /// and inode), ``text`` otherwise. A child of the service that inherits `JOURNAL_STREAM` but writes elsewhere
    /// keeps ``text``.
    public static func automatic(environment: [String: String], standardError: Int32 = 2) -> LogFormat {
        guard let stream = environment["JOURNAL_STREAM"] else { return .text }
        let parts = stream.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return .text }
        var status = stat()
        guard fstat(standardError, &status) == 0 else { return .text }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode ? .journal : .text
    }
}
