import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// When to reconnect after a connection was lost: exponential backoff with a cap and jitter.
///
///     delay(attempt) = min(maximumDelay, initialDelay × multiplier^(attempt − 1)) × (1 − jitter × random(0...1))
public struct MQTTReconnectPolicy: Sendable, Hashable {
    public var initialDelay: TimeAmount
    public var maximumDelay: TimeAmount
    public var multiplier: Double
    /// The fraction (0...1) of each delay that is randomly taken off, so that many clients losing the same broker
    /// do not all come back at the same instant.
    public var jitter: Double
    /// Give up after this many consecutive failed attempts; nil retries forever.
    public var maximumAttempts: Int?

    public init(
        initialDelay: TimeAmount = .milliseconds(500),
        maximumDelay: TimeAmount = .seconds(30),
        multiplier: Double = 2,
        jitter: Double = 0.2,
        maximumAttempts: Int? = nil
    ) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.multiplier = multiplier
        self.jitter = jitter
        self.maximumAttempts = maximumAttempts
    }

    /// The delay before attempt number `attempt` (1 is the first reconnect).
    public func delay<Generator: RandomNumberGenerator>(
        forAttempt attempt: Int,
        using generator: inout Generator
    ) -> TimeAmount {
        let exponent = Double(max(0, attempt - 1))
        let uncapped = Double(initialDelay.nanoseconds) * pow(multiplier, exponent)
        let capped = min(Double(maximumDelay.nanoseconds), uncapped)
        let clampedJitter = min(max(jitter, 0), 1)
        let factor = 1 - clampedJitter * Double.random(in: 0...1, using: &generator)
        return .nanoseconds(Int64(capped * factor))
    }

    /// The delay before attempt number `attempt`, with the system random number generator.
    public func delay(forAttempt attempt: Int) -> TimeAmount {
        var generator = SystemRandomNumberGenerator()
        return delay(forAttempt: attempt, using: &generator)
    }
}
