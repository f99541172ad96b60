import Glibc
import Logging
import SNBridge
import Testing

@Suite("sd_notify")
struct SystemdNotifierTests {
    @Test("notifications arrive as datagrams on a filesystem socket")
    func pathSocket() async throws {
        let path = "/tmp/snbridge-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let receiver = try DatagramReceiver(path: path)
        defer { receiver.close() }
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": path])
        #expect(notifier.isActive)

        try notifier.ready()
        #expect(try await receiver.receive() == "READY=1")
        try notifier.status("2 devices,\nbroker up")
        #expect(try await receiver.receive() == "STATUS=2 devices, broker up")
        try notifier.watchdog()
        #expect(try await receiver.receive() == "WATCHDOG=1")
        try notifier.stopping()
        #expect(try await receiver.receive() == "STOPPING=1")
    }

    @Test("an '@' name is an abstract socket")
    func abstractSocket() async throws {
        let name = "@snbridge-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let receiver = try DatagramReceiver(path: name)
        defer { receiver.close() }
        try SystemdNotifier(environment: ["NOTIFY_SOCKET": name]).ready()
        #expect(try await receiver.receive() == "READY=1")
    }

    @Test("without NOTIFY_SOCKET every call does nothing")
    func notUnderSystemd() throws {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isActive)
        try notifier.ready()
        try notifier.watchdog()
        try notifier.stopping()
    }

    @Test("a socket nobody listens on is an error")
    func missingSocket() {
        let path = "/tmp/snbridge-notify-missing-\(getpid()).sock"
        #expect(throws: SystemdNotifierError.sendFailed(path: path, errno: ENOENT)) {
            try SystemdNotifier(environment: ["NOTIFY_SOCKET": path]).ready()
        }
    }

    @Test("a socket path longer than sockaddr_un is refused")
    func tooLong() {
        let path = "/tmp/" + String(repeating: "x", count: 200)
        #expect(throws: SystemdNotifierError.socketPathTooLong(path)) {
            try SystemdNotifier(environment: ["NOTIFY_SOCKET": path]).ready()
        }
    }

    struct WatchdogCase: Sendable, CustomTestStringConvertible {
        var environment: [String: String]
        var interval: Duration?
        var testDescription: String { "\(environment)" }
    }

    @Test(arguments: [
        WatchdogCase(environment: ["WATCHDOG_USEC": "30000000"], interval: .seconds(30)),
        WatchdogCase(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4242"], interval: .seconds(30)),
        WatchdogCase(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"], interval: nil),
        WatchdogCase(environment: ["WATCHDOG_USEC": "0"], interval: nil),
        WatchdogCase(environment: ["WATCHDOG_USEC": "soon"], interval: nil),
        WatchdogCase(environment: [:], interval: nil),
    ])
    func watchdogInterval(_ testCase: WatchdogCase) {
        let notifier = SystemdNotifier(environment: testCase.environment, processID: 4242)
        #expect(notifier.watchdogInterval == testCase.interval)
        #expect(notifier.watchdogPingInterval == testCase.interval.map { $0 / 2 })
    }
}

@Suite("systemd watchdog service")
struct SystemdWatchdogServiceTests {
    @Test("pings at half the watchdog interval until stopped, then reports stopping")
    func pingsThenStops() async throws {
        let path = "/tmp/snbridge-watchdog-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let receiver = try DatagramReceiver(path: path)
        defer { receiver.close() }
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000"])
        #expect(notifier.watchdogPingInterval == .milliseconds(100))
        let service = SystemdWatchdogService(notifier: notifier, logger: Logger(label: "test.watchdog"))
        let start = ContinuousClock.now
        let running = Task { try await service.run() }

        #expect(try await receiver.receive() == "WATCHDOG=1")
        #expect(try await receiver.receive() == "WATCHDOG=1")
        // The second ping waits for the ping interval; a service pinging in a busy loop would be faster.
        #expect(ContinuousClock.now - start >= .milliseconds(100))

        running.cancel()
        try await running.value
        var last = try await receiver.receive()
        while last == "WATCHDOG=1" { last = try await receiver.receive() }
        #expect(last == "STOPPING=1")
    }

    @Test("without a watchdog it only reports stopping")
    func noWatchdog() async throws {
        let path = "/tmp/snbridge-watchdog-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let receiver = try DatagramReceiver(path: path)
        defer { receiver.close() }
        let service = SystemdWatchdogService(
            notifier: SystemdNotifier(environment: ["NOTIFY_SOCKET": path]),
            logger: Logger(label: "test.watchdog")
        )
        let running = Task { try await service.run() }
        running.cancel()
        try await running.value
        #expect(try await receiver.receive() == "STOPPING=1")
    }
}

/// A datagram socket standing in for systemd's notification socket.
private struct DatagramReceiver {
    let fd: Int32
    let path: String

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw ReceiverError(description: "socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        let isAbstract = bytes.first == UInt8(ascii: "@")
        if isAbstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout.offset(of: \sockaddr_un.sun_path)! + bytes.count + (isAbstract ? 0 : 1))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard result == 0 else { throw ReceiverError(description: "bind \(path): errno \(errno)") }
    }

    /// The next datagram, waiting at most five seconds for it. Checks readiness without blocking, so that waiting
    /// does not hold one of the few threads of the concurrency pool that the code under test needs.
    func receive() async throws -> String {
        let deadline = ContinuousClock.now + .seconds(5)
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while poll(&descriptor, 1, 0) != 1 {
            guard ContinuousClock.now < deadline else { throw ReceiverError(description: "no datagram within 5 s") }
            try await Task.sleep(for: .milliseconds(5))
        }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count >= 0 else { throw ReceiverError(description: "recv: errno \(errno)") }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    func close() {
        _ = Glibc.close(fd)
        if !path.hasPrefix("@") { unlink(path) }
    }
}

private struct ReceiverError: Error, CustomStringConvertible {
    let description: String
}
