/// What a publisher does during one scenario run.
struct PublishRun: Sendable {
    enum Mode: Sendable, Equatable {
        /// Keep `window` messages in flight per publisher; send the next as soon as one completes.
        case closedLoop
        /// Send when the event loop's pacer says so; `window` only caps what may be outstanding.
        case paced
    }

    var runID: UInt32
    /// 0 or 1.
    var qos: Int
    var payloadSize: Int
    var mode: Mode
    /// Outstanding messages allowed per publisher: unacknowledged for QoS 1, not yet at the subscriber for QoS 0
    /// in a closed loop. Ignored for paced QoS 0.
    var window: Int
}

extension PublishRun {
    /// Whether a publisher that has sent `sent` messages, `completed` of them acknowledged, may send one more now.
    /// A closed-loop QoS 0 publisher that may not parks on its `credit`, to be woken when the subscriber catches up.
    func allowsAnother(sent: Int, completed: Int, credit: DeliveryCredit?) -> Bool {
        guard self.qos == 1 || self.mode == .closedLoop else { return true }
        while true {
            let outstanding =
                self.qos == 1 ? sent - completed : sent - (credit?.delivered.load(ordering: .relaxed) ?? 0)
            if outstanding < self.window { return true }
            // Park fails when a delivery came in meanwhile: look again.
            guard self.qos == 0, self.mode == .closedLoop, let credit, !credit.park(sent: sent, window: self.window)
            else { return false }
        }
    }
}

extension PublishRun {
    /// The load the QoS 1 targets are measured with: closed loop, 32-byte payloads, the bench's window.
    static func closedLoopQoS1(_ context: BenchContext) -> PublishRun {
        PublishRun(
            runID: context.makeRunID(),
            qos: 1,
            payloadSize: 32,
            mode: .closedLoop,
            window: context.options.window
        )
    }
}
