/// Names one write to a ``SessionStore``; ``SessionStore/whenDurable(_:on:)`` completes once it is on disk.
///
/// Tickets grow with every write, and a commit makes every write queued before it durable at once, so the ticket of
/// the last of several writes stands for all of them.
public struct SessionStoreTicket: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "#\(rawValue)" }
}
