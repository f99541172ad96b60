import NIOConcurrencyHelpers
import NIOCore

/// One open serial link: the device on one tty. Thread-safe; every method may be called from anywhere.
public final class SerialLinkConnection: Sendable {
    /// The tty path (or a test name), used as `device.path` in logs.
    public let devicePath: String
    public let channel: any Channel
    private let linkedMaximumMessageSize = NIOLockedValueBox<Int?>(nil)

    init(devicePath: String, channel: any Channel) {
        self.devicePath = devicePath
        self.channel = channel
    }

    /// The largest MQTT-SN message (a Forwarder Encapsulation header included) one frame of the link carries: the
    /// frame size negotiated in HELLO / HELLO-ACK less the frame overhead. `nil` until the link is up.
    public var maximumMQTTSNMessageSize: Int? {
        self.linkedMaximumMessageSize.withLockedValue { $0 }
    }

    /// Set by the link handler when the link comes up, before the delegate hears of it.
    func linkUp(maximumMQTTSNMessageSize: Int) {
        self.linkedMaximumMessageSize.withLockedValue { $0 = maximumMQTTSNMessageSize }
    }

    /// Sends one MQTT-SN message (length field included) to the device's client or to the node `forwarderNodeID`.
    /// Fails with ``SerialLinkStateMachine/SendError`` when the link is down or the message too large.
    @discardableResult
    public func send(_ message: ByteBuffer, forwarderNodeID: ByteBuffer? = nil) -> EventLoopFuture<Void> {
        self.channel.writeAndFlush(SerialLinkOutbound.mqttsn(message, forwarderNodeID: forwarderNodeID))
    }

    /// Sends RESET: the device drops the link and says HELLO again (or reboots).
    @discardableResult
    public func resetLink(_ mode: LinkResetMode = .rehello) -> EventLoopFuture<Void> {
        self.channel.writeAndFlush(SerialLinkOutbound.reset(mode))
    }

    /// Frame counters of this link so far.
    public func counters() -> EventLoopFuture<SerialLinkCounters> {
        let channel = self.channel
        return channel.eventLoop.submit {
            if let handler = try? channel.pipeline.syncOperations.handler(type: SerialLinkHandler.self) {
                return handler.counters
            }
            return try channel.pipeline.syncOperations.handler(type: RawMQTTSNLinkHandler.self).counters
        }
    }

    /// Closes the port.
    @discardableResult
    public func close() -> EventLoopFuture<Void> {
        self.channel.close()
    }

    /// Completes when the port is closed.
    public var closeFuture: EventLoopFuture<Void> {
        self.channel.closeFuture
    }
}
