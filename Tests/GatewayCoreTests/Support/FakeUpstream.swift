import GatewayCore
import NIOCore

/// One fake upstream session: records what the gateway asks and holds the answers until the test gives them.
final class FakeUpstream: UpstreamSession, @unchecked Sendable {
    enum Closing: Equatable {
        case open
        case disconnected
        case closedAbruptly
    }

    let parameters: UpstreamSessionParameters
    let events: UpstreamSessionEvents
    private let eventLoop: any EventLoop
    private let acceptsConnect: Bool
    private var connectPromise: EventLoopPromise<Bool>?
    private var publishPromises: [(message: UpstreamMessage, promise: EventLoopPromise<Void>?)] = []
    private var closing = Closing.open
    /// Publishes not yet flushed, and every message flushed so far, in order.
    private var unflushed: [UpstreamMessage] = []
    private var flushed: [UpstreamMessage] = []
    private var writable = true
    private var acknowledged: [UpstreamAcknowledgement] = []
    private var subscribed: [String] = []

    init(
        parameters: UpstreamSessionParameters,
        events: UpstreamSessionEvents,
        eventLoop: any EventLoop,
        acceptsConnect: Bool = false
    ) {
        self.parameters = parameters
        self.events = events
        self.eventLoop = eventLoop
        self.acceptsConnect = acceptsConnect
    }

    func connect() -> EventLoopFuture<Bool> {
        if self.acceptsConnect {
            return self.eventLoop.makeSucceededFuture(false)
        }
        let promise = self.eventLoop.makePromise(of: Bool.self)
        self.connectPromise = promise
        return promise.futureResult
    }

    func publish(_ message: UpstreamMessage, promise: EventLoopPromise<Void>?) {
        self.publishPromises.append((message, promise))
        self.unflushed.append(message)
    }

    func flush() {
        self.flushed += self.unflushed
        self.unflushed.removeAll()
    }

    var isWritable: Bool {
        self.eventLoop.preconditionInEventLoop()
        return self.writable
    }

    func subscribe(topicFilter: String, qos: UpstreamQoS) -> EventLoopFuture<UpstreamQoS> {
        self.subscribed.append(topicFilter)
        return self.eventLoop.makeSucceededFuture(qos)
    }

    func acknowledge(_ acknowledgement: UpstreamAcknowledgement) {
        self.acknowledged.append(acknowledgement)
    }

    func unsubscribe(topicFilter: String) -> EventLoopFuture<Void> {
        self.eventLoop.makeSucceededVoidFuture()
    }

    func disconnect() -> EventLoopFuture<Void> {
        self.closing = .disconnected
        return self.eventLoop.makeSucceededVoidFuture()
    }

    func closeAbruptly() -> EventLoopFuture<Void> {
        self.closing = .closedAbruptly
        return self.eventLoop.makeSucceededVoidFuture()
    }

    // MARK: The test's side

    /// The broker accepts (or refuses) the CONNECT.
    func answerConnect(_ result: Result<Void, any Error>) async throws {
        try await self.eventLoop.submit { self.connectPromise?.completeWith(result.map { false }) }.get()
    }

    /// What was published and not yet acknowledged.
    func pendingPublishes() async throws -> [UpstreamMessage] {
        try await self.eventLoop.submit { self.publishPromises.map(\.message) }.get()
    }

    /// The broker acknowledges every pending publish.
    func acknowledgePublishes() async throws {
        try await self.eventLoop.submit {
            let promises = self.publishPromises
            self.publishPromises.removeAll()
            for entry in promises { entry.promise?.succeed() }
        }.get()
    }

    /// What reached the broker's side of the connection: published and then flushed.
    func flushedPublishes() async throws -> [UpstreamMessage] {
        try await self.eventLoop.submit { self.flushed }.get()
    }

    /// The broker stops (or resumes) reading: the connection's write buffer fills up.
    func setWritable(_ writable: Bool) async throws {
        try await self.eventLoop.submit { self.writable = writable }.get()
    }

    /// The broker messages the gateway acknowledged, in order.
    func acknowledgements() async throws -> [UpstreamAcknowledgement] {
        try await self.eventLoop.submit { self.acknowledged }.get()
    }

    /// Every SUBSCRIBE the gateway sent, in order.
    func subscriptions() async throws -> [String] {
        try await self.eventLoop.submit { self.subscribed }.get()
    }

    func closingState() async throws -> Closing {
        try await self.eventLoop.submit { self.closing }.get()
    }
}
