import NIOCore

/// Paces the reads of every serial port on one event loop, so that busy ports are read in batches.
///
/// A pseudo-terminal, a native USB CDC port or a fast adapter hands each frame to the kernel as it arrives, and an
/// event loop that reads each one on its own wakes thousands of times a second for 32 busy boards. With a pacer,
/// a port that has just been read is not watched again until the pacer's next tick, shared by every port on the
/// loop; at the tick all paused ports are read together, each taking whatever arrived in the meantime.
///
/// ```
///  port A  ──frame──▶ read ── paused ─────────────┐
///  port B  ────────frame──▶ read ── paused ───────┤ tick (≤ interval after the first pause)
///                                                  └─▶ A and B watched again: one wake-up reads both
/// ```
///
/// A quiet port is watched all the time, so a lone frame is read at once: only frames that follow a read within
/// `interval` wait, by at most `interval`, the way a USB-serial adapter's latency timer (16 ms on FTDI chips)
/// batches bytes anyway.
///
/// Everything runs on ``eventLoop``; ports opened on another loop are not paced.
public final class SerialReadPacer: @unchecked Sendable {
    public let eventLoop: any EventLoop
    public let interval: TimeAmount
    private var paused: [ReadPacingHandler] = []
    private var tick: Scheduled<Void>?

    public init(interval: TimeAmount, eventLoop: any EventLoop) {
        self.interval = interval
        self.eventLoop = eventLoop
    }

    /// Holds `handler`'s next read until the next tick.
    func pause(_ handler: ReadPacingHandler) {
        self.eventLoop.assertInEventLoop()
        self.paused.append(handler)
        guard self.tick == nil else { return }
        self.tick = self.eventLoop.scheduleTask(in: self.interval) { [self] in
            self.tick = nil
            let handlers = self.paused
            self.paused.removeAll(keepingCapacity: true)
            for handler in handlers {
                handler.resumeReading()
            }
        }
    }

    /// Whether a port at `baudRate` may be paused for ``interval``: the kernel's tty buffer (4 KiB) must not fill
    /// meanwhile, so a pause may last at most the time 1 KiB takes on the line.
    func canPace(baudRate: Int) -> Bool {
        guard baudRate > 0 else { return true }
        // 10 bits per byte on the line (start, 8 data, stop).
        let nanosecondsPerKiB = Int64(1024 * 10) * 1_000_000_000 / Int64(baudRate)
        return self.interval.nanoseconds <= nanosecondsPerKiB
    }
}
