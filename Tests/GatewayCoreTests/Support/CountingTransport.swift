import MQTTSNTransport
import NIOCore

/// A transport that only counts what the gateway sends, for measuring the gateway without any I/O.
///
/// Confined to the gateway's event loop, where the gateway calls it.
final class CountingTransport: MQTTSNTransport, @unchecked Sendable {
    let name = "counting"
    private let eventLoop: any EventLoop
    private var sent = 0

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func canReach(_ address: MQTTSNClientAddress) -> Bool {
        if case .serial = address { return true }
        return false
    }

    func send(_ message: ByteBuffer, to address: MQTTSNClientAddress) {
        self.eventLoop.preconditionInEventLoop()
        self.sent += 1
    }

    func flush() {}

    /// How many messages were sent so far.
    func sentCount() async throws -> Int {
        try await self.eventLoop.submit { self.sent }.get()
    }
}
