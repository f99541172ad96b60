import NIOCore

/// Datagrams received and callers waiting for them; only touched on the peer's event loop.
final class DatagramPeerInbox: @unchecked Sendable {
    private let eventLoop: any EventLoop
    private var datagrams = CircularBuffer<DatagramPeer.Datagram>()
    private var waiters = CircularBuffer<EventLoopPromise<DatagramPeer.Datagram>>()

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func deliver(_ datagram: DatagramPeer.Datagram) {
        self.eventLoop.assertInEventLoop()
        if let waiter = self.waiters.popFirst() {
            waiter.succeed(datagram)
        } else {
            self.datagrams.append(datagram)
        }
    }

    func next(timeout: TimeAmount) -> EventLoopFuture<DatagramPeer.Datagram> {
        self.eventLoop.flatSubmit {
            if let datagram = self.datagrams.popFirst() {
                return self.eventLoop.makeSucceededFuture(datagram)
            }
            let promise = self.eventLoop.makePromise(of: DatagramPeer.Datagram.self)
            self.waiters.append(promise)
            let timeoutTask = self.eventLoop.scheduleTask(in: timeout) {
                if let index = self.waiters.firstIndex(where: { $0.futureResult === promise.futureResult }) {
                    self.waiters.remove(at: index)
                    promise.fail(DatagramPeer.Timeout())
                }
            }
            promise.futureResult.whenComplete { _ in timeoutTask.cancel() }
            return promise.futureResult
        }
    }
}
