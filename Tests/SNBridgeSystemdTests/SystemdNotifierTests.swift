import Glibc
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
