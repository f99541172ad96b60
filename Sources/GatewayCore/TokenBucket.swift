import NIOCore

/// A token bucket: `burst` tokens, refilled at `ratePerSecond`. One per client when a rate limit is configured.
struct TokenBucket: Sendable {
    private let ratePerNanosecond: Double
    private let capacity: Double
    private var tokens: Double
    private var lastRefill: NIODeadline

    init(ratePerSecond: Double, burst: Int, now: NIODeadline) {
        self.ratePerNanosecond = ratePerSecond / 1_000_000_000
        self.capacity = Double(burst)
        self.tokens = Double(burst)
        self.lastRefill = now
    }

    /// Takes one token if there is one.
    mutating func take(now: NIODeadline) -> Bool {
        let elapsed = Double(max(0, (now - self.lastRefill).nanoseconds))
        self.tokens = min(self.capacity, self.tokens + elapsed * self.ratePerNanosecond)
        self.lastRefill = now
        guard self.tokens >= 1 else {
            return false
        }
        self.tokens -= 1
        return true
    }
}
