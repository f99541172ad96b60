import NIOCore

/// Messages and waiters, confined to one event loop.
final class BrokerObserverInbox: @unchecked Sendable {
    private let eventLoop: any EventLoop
    private var messages: [ObservedMessage] = []
    private var waiters:
        [(id: Int, predicate: @Sendable (ObservedMessage) -> Bool, promise: EventLoopPromise<ObservedMessage>)] = []
    private var nextWaiterID = 0

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func record(_ message: ObservedMessage) {
        self.eventLoop.execute {
            self.messages.append(message)
            let matched = self.waiters.filter { $0.predicate(message) }
            self.waiters.removeAll { $0.predicate(message) }
            for waiter in matched {
                waiter.promise.succeed(message)
            }
        }
    }

    func all() -> EventLoopFuture<[ObservedMessage]> {
        self.eventLoop.submit { self.messages }
    }

    func first(
        where predicate: @escaping @Sendable (ObservedMessage) -> Bool,
        timeout: TimeAmount
    ) -> EventLoopFuture<ObservedMessage> {
        self.eventLoop.flatSubmit {
            if let message = self.messages.first(where: predicate) {
                return self.eventLoop.makeSucceededFuture(message)
            }
            let promise = self.eventLoop.makePromise(of: ObservedMessage.self)
            let id = self.nextWaiterID
            self.nextWaiterID += 1
            self.waiters.append((id, predicate, promise))
            let timeoutTask = self.eventLoop.scheduleTask(in: timeout) {
                if self.waiters.contains(where: { $0.id == id }) {
                    self.waiters.removeAll { $0.id == id }
                    promise.fail(BrokerObserverError.timedOut(seen: self.messages))
                }
            }
            promise.futureResult.whenComplete { _ in timeoutTask.cancel() }
            return promise.futureResult
        }
    }
}
