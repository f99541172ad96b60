/// How much of the outage buffer is used: messages and bytes (topic name plus payload).
public struct OutageBufferUsage: Sendable, Hashable {
    public var messages: Int
    public var bytes: Int

    public init(messages: Int = 0, bytes: Int = 0) {
        self.messages = messages
        self.bytes = bytes
    }

    public static let zero = OutageBufferUsage()

    mutating func add(_ size: Int) {
        messages += 1
        bytes += size
    }

    mutating func subtract(_ size: Int) {
        messages -= 1
        bytes -= size
    }
}
