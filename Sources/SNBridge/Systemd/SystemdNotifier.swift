#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Tells systemd about the service's state: the `sd_notify` protocol, without linking libsystemd.
///
/// Each notification is one datagram of `KEY=VALUE` lines to the `AF_UNIX` socket in `$NOTIFY_SOCKET` (a path, or an
/// abstract name written with a leading `@`). Without `$NOTIFY_SOCKET`, i.e. when not started by systemd or not as
/// `Type=notify`, every call does nothing, so the bridge calls these unconditionally.
///
/// With `WatchdogSec=` in the unit, systemd sets `$WATCHDOG_USEC`; the service must call ``watchdog()`` more often
/// than ``watchdogInterval`` (every ``watchdogPingInterval``, half of it, as systemd recommends) or be restarted.
public struct SystemdNotifier: Sendable {
    /// The notification socket from `$NOTIFY_SOCKET`; `nil` when not running under systemd.
    public let socketPath: String?
    /// The watchdog timeout from `$WATCHDOG_USEC`, when the watchdog is enabled for this process.
    public let watchdogInterval: Duration?

    /// Reads `$NOTIFY_SOCKET`, `$WATCHDOG_USEC` and `$WATCHDOG_PID` from `environment`.
    ///
    /// - Parameters:
    ///   - environment: The process environment (a parameter so tests can point the notifier at their own socket).
    ///   - processID: This process's id; `$WATCHDOG_PID` naming another process means the watchdog is not ours.
    public init(environment: [String: String], processID: pid_t = getpid()) {
        let path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        self.socketPath = path
        if let usec = environment["WATCHDOG_USEC"].flatMap(UInt64.init), usec > 0,
            environment["WATCHDOG_PID"].map({ pid_t($0) == processID }) ?? true
        {
            self.watchdogInterval = .microseconds(Int64(clamping: usec))
        } else {
            self.watchdogInterval = nil
        }
    }

    /// Whether notifications go anywhere.
    public var isActive: Bool { socketPath != nil }

    /// How often to call ``watchdog()``: half the watchdog timeout, leaving room for a late wake-up.
    public var watchdogPingInterval: Duration? {
        watchdogInterval.map { $0 / 2 }
    }

    /// Startup is complete: systemd considers the unit started (`READY=1`).
    public func ready() throws(SystemdNotifierError) {
        try notify("READY=1")
    }

    /// Shutdown has begun (`STOPPING=1`).
    public func stopping() throws(SystemdNotifierError) {
        try notify("STOPPING=1")
    }

    /// The service is alive (`WATCHDOG=1`).
    public func watchdog() throws(SystemdNotifierError) {
        try notify("WATCHDOG=1")
    }

    /// A one-line status `systemctl status` shows (`STATUS=...`). Newlines would start a new field, so they become
    /// spaces.
    public func status(_ text: String) throws(SystemdNotifierError) {
        try notify("STATUS=" + String(text.map { $0 == "\n" ? " " : $0 }))
    }

    /// Sends `state` (one or more `KEY=VALUE` lines) as one datagram; does nothing when not under systemd.
    public func notify(_ state: String) throws(SystemdNotifierError) {
        guard let socketPath else { return }
        var address = try Self.address(for: socketPath)
        let addressLength = socklen_t(MemoryLayout.offset(of: \sockaddr_un.sun_path)! + Self.pathLength(of: socketPath))

        #if canImport(Darwin)
        let fd = socket(AF_UNIX, SOCK_DGRAM, 0)
        #else
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #endif
        guard fd >= 0 else { throw .socketFailed(errno: errno) }
        defer { close(fd) }

        let bytes = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bytes.withUnsafeBytes { buffer in
                    sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), socketAddress, addressLength)
                }
            }
        }
        guard sent == bytes.count else { throw .sendFailed(path: socketPath, errno: errno) }
    }

    /// The `sun_path` bytes: the path with a terminating NUL, or for `@name` a leading NUL and the name without one.
    private static func address(for path: String) throws(SystemdNotifierError) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { throw .socketPathTooLong(path) }
        withUnsafeMutableBytes(of: &address.sun_path) { sunPath in
            sunPath.copyBytes(from: bytes)
        }
        return address
    }

    /// How much of `sun_path` the address uses: abstract names are exactly as long as they are, paths include the NUL.
    private static func pathLength(of path: String) -> Int {
        path.hasPrefix("@") ? path.utf8.count : path.utf8.count + 1
    }
}
