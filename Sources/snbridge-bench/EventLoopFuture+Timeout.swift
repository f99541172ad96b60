import NIOCore

extension EventLoopFuture where Value: Sendable {
    /// This future, or a failure with ``BenchError/timedOut(_:)`` if it has not completed within `timeout`.
    func withTimeout(_ timeout: TimeAmount, on eventLoop: any EventLoop) -> EventLoopFuture<Value> {
        let promise = eventLoop.makePromise(of: Value.self)
        let timer = eventLoop.scheduleTask(in: timeout) {
            promise.fail(BenchError.timedOut("reply within \(timeout)"))
        }
        self.hop(to: eventLoop).whenComplete { result in
            timer.cancel()
            promise.completeWith(result)
        }
        return promise.futureResult
    }
}
