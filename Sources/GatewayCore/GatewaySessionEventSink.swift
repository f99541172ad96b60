/// Where the engine sends ``GatewaySessionEvent``s: the continuation of the one stream ``Gateway/sessionEvents()``
/// handed out, or nowhere. Only used on the gateway's event loop.
struct GatewaySessionEventSink {
    /// How many events may wait for a slow consumer; beyond that the oldest are dropped and counted.
    static let bufferLimit = 65_536

    private var continuation: AsyncStream<GatewaySessionEvent>.Continuation?

    var isActive: Bool { continuation != nil }

    /// A new stream; a previous one ends.
    mutating func makeStream() -> AsyncStream<GatewaySessionEvent> {
        continuation?.finish()
        let (stream, continuation) = AsyncStream.makeStream(
            of: GatewaySessionEvent.self,
            bufferingPolicy: .bufferingNewest(Self.bufferLimit)
        )
        self.continuation = continuation
        return stream
    }

    /// Delivers `event`; false when the buffer was full and an older event was dropped for it.
    func yield(_ event: GatewaySessionEvent) -> Bool {
        guard let continuation else { return true }
        if case .dropped = continuation.yield(event) { return false }
        return true
    }

    mutating func finish() {
        continuation?.finish()
        continuation = nil
    }
}
