/// A cap on buffered outage messages, in messages and in bytes (topic name plus payload).
public struct OutageBufferLimits: Sendable, Hashable {
    public var messages: Int
    public var bytes: Int

    public init(messages: Int, bytes: Int) {
        self.messages = messages
        self.bytes = bytes
    }

    /// Whether `usage` plus one message of `size` bytes still fits.
    func admits(_ usage: OutageBufferUsage, adding size: Int) -> Bool {
        usage.messages + 1 <= messages && usage.bytes + size <= bytes
    }
}
