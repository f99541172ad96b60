import MQTTSNTransport
import NIOCore

/// The UDP listeners a ``Gateway`` started; only touched on the gateway's event loop.
final class UDPTransports: @unchecked Sendable {
    private let eventLoop: any EventLoop
    private var _value: [UDPTransport] = []

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    var value: [UDPTransport] {
        get {
            self.eventLoop.assertInEventLoop()
            return self._value
        }
        set {
            self.eventLoop.assertInEventLoop()
            self._value = newValue
        }
    }
}
