import MQTTSN
import NIOCore

/// Packets received, and callers waiting for them; only touched on the client's event loop.
final class MQTTSNTestClientInbox: @unchecked Sendable {
    private let eventLoop: any EventLoop
    private var packets = CircularBuffer<MQTTSNPacket>()
    private var waiters = CircularBuffer<EventLoopPromise<MQTTSNPacket>>()

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func deliver(_ packet: MQTTSNPacket) {
        self.eventLoop.assertInEventLoop()
        // Waiters whose deadline passed were removed when they failed, so the first one is still waiting.
        if let waiter = self.waiters.popFirst() {
            waiter.succeed(packet)
        } else {
            self.packets.append(packet)
        }
    }

    func next(timeout: TimeAmount) -> EventLoopFuture<MQTTSNPacket> {
        self.eventLoop.flatSubmit {
            if let packet = self.packets.popFirst() {
                return self.eventLoop.makeSucceededFuture(packet)
            }
            let promise = self.eventLoop.makePromise(of: MQTTSNPacket.self)
            self.waiters.append(promise)
            let timeoutTask = self.eventLoop.scheduleTask(in: timeout) {
                if let index = self.waiters.firstIndex(where: { $0.futureResult === promise.futureResult }) {
                    self.waiters.remove(at: index)
                    promise.fail(MQTTSNTestClientError.timedOut)
                }
            }
            promise.futureResult.whenComplete { _ in timeoutTask.cancel() }
            return promise.futureResult
        }
    }
}
