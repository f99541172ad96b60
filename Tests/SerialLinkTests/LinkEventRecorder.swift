import Foundation
import NIOCore
import SerialLink

/// A delegate that records what the link reports and lets a test wait for a specific event with a deadline.
final class LinkEventRecorder: SerialLinkDelegate, @unchecked Sendable {
    enum Event: Equatable, Sendable {
        case linkUp(DeviceHello)
        case linkDown(SerialLinkLossReason)
        case message([UInt8], forwarderNodeID: [UInt8]?)
        case console(String)
    }

    struct Timeout: Error, CustomStringConvertible {
        let seen: [Event]
        var description: String { "timed out; link reported \(self.seen)" }
    }

    private let lock = NSLock()
    private var events: [Event] = []
    private var waiters:
        [(id: Int, predicate: (Event) -> Bool, occurrence: Int, continuation: CheckedContinuation<Event?, Never>)] = []
    private var nextID = 0
    private var readBursts = 0

    var recorded: [Event] { self.lock.withLock { self.events } }
    /// How many reads the link's channel has completed (each may carry several frames).
    var readBurstCount: Int { self.lock.withLock { self.readBursts } }

    func serialLinkReadComplete(_ connection: SerialLinkConnection) {
        self.lock.withLock { self.readBursts += 1 }
    }

    func serialLink(_ connection: SerialLinkConnection, linkUp device: DeviceHello) { self.record(.linkUp(device)) }
    func serialLink(_ connection: SerialLinkConnection, linkDown reason: SerialLinkLossReason) {
        self.record(.linkDown(reason))
    }
    func serialLink(_ connection: SerialLinkConnection, received message: ByteBuffer, forwarderNodeID: ByteBuffer?) {
        self.record(
            .message(
                Array(message.readableBytesView),
                forwarderNodeID: forwarderNodeID.map { Array($0.readableBytesView) }
            )
        )
    }
    func serialLink(_ connection: SerialLinkConnection, consoleLine: String) { self.record(.console(consoleLine)) }

    /// Waits for the `occurrence`-th recorded event (past or future) matching `predicate`.
    func wait(
        occurrence: Int = 1,
        timeout: Duration = .seconds(10),
        for predicate: @escaping @Sendable (Event) -> Bool
    ) async throws -> Event {
        let id = self.lock.withLock { () -> Int in
            self.nextID += 1
            return self.nextID
        }
        let deadline = Task {
            try await Task.sleep(for: timeout)
            self.expire(id)
        }
        defer { deadline.cancel() }
        let event = await withCheckedContinuation { (continuation: CheckedContinuation<Event?, Never>) in
            self.lock.withLock {
                let matches = self.events.filter(predicate)
                if matches.count >= occurrence {
                    continuation.resume(returning: matches[occurrence - 1])
                } else {
                    self.waiters.append((id, predicate, occurrence, continuation))
                }
            }
        }
        guard let event else { throw Timeout(seen: self.recorded) }
        return event
    }

    private func expire(_ id: Int) {
        let continuation = self.lock.withLock { () -> CheckedContinuation<Event?, Never>? in
            guard let index = self.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return self.waiters.remove(at: index).continuation
        }
        continuation?.resume(returning: nil)
    }

    private func record(_ event: Event) {
        var ready: [CheckedContinuation<Event?, Never>] = []
        self.lock.withLock {
            self.events.append(event)
            self.waiters.removeAll { waiter in
                guard waiter.predicate(event), self.events.filter(waiter.predicate).count >= waiter.occurrence else {
                    return false
                }
                ready.append(waiter.continuation)
                return true
            }
        }
        for continuation in ready { continuation.resume(returning: event) }
    }
}
