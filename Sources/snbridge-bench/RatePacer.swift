import NIOCore
import Synchronization

/// Sends a fixed number of messages per second from the publishers of one event loop, round robin, checking every
/// millisecond how many are due since the start (so a late tick catches up instead of drifting).
///
/// A catch-up is capped at 50 ms worth of messages: after a longer stall the missed messages are counted as shed
/// rather than sent in one burst.
final class RatePacer: @unchecked Sendable {
    let eventLoop: any EventLoop
    private let publishers: [any LoadPublisher]
    private let messagesPerSecond: Double
    private var startedAt: UInt64 = 0
    private var issued = 0
    private var next = 0
    private var task: RepeatedTask?
    let shed = Atomic<Int>(0)

    init(eventLoop: any EventLoop, publishers: [any LoadPublisher], messagesPerSecond: Double) {
        self.eventLoop = eventLoop
        self.publishers = publishers
        self.messagesPerSecond = messagesPerSecond
    }

    func start() {
        eventLoop.execute {
            self.startedAt = MonotonicClock.nanoseconds()
            self.task = self.eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(1)) { _ in
                self.tick()
            }
        }
    }

    func stop() async {
        try? await eventLoop.submit { self.task?.cancel() }.get()
    }

    private func tick() {
        guard !publishers.isEmpty else { return }
        let due = Int(messagesPerSecond * MonotonicClock.seconds(since: startedAt)) - issued
        let cap = max(1, Int(messagesPerSecond * 0.05))
        if due > cap {
            shed.add(due - cap, ordering: .relaxed)
            issued += due - cap
        }
        for _ in 0..<min(max(due, 0), cap) {
            let publisher = publishers[next]
            next = (next + 1) % publishers.count
            issued += 1
            if !publisher.sendOne() {
                shed.add(1, ordering: .relaxed)
            }
        }
    }
}
