import NIOCore

/// Lets one warning of a kind through per second, so that a flood (garbage datagrams, a congested broker) cannot
/// flood the log; what it holds back is counted, for the next line that gets through to say so.
struct WarningThrottle {
    private var lastAdmitted = NIODeadline.uptimeNanoseconds(0)
    /// Warnings held back since the last one admitted.
    private(set) var suppressed = 0

    /// True when a warning may be logged now (then the suppressed count starts again after it has been read).
    mutating func admit(now: NIODeadline = .now()) -> Bool {
        guard now - self.lastAdmitted >= .seconds(1) else {
            self.suppressed += 1
            return false
        }
        self.lastAdmitted = now
        return true
    }

    mutating func resetSuppressed() {
        self.suppressed = 0
    }
}
