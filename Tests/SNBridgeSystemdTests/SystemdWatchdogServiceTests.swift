import Glibc
import Logging
import SNBridge
import Testing

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
