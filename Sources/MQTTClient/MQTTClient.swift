import Logging
import NIOCore

/// An MQTT 3.1.1 / 5.0 client on one SwiftNIO channel.
///
/// All of its state lives on `eventLoop`: thousands of clients can share one `MultiThreadedEventLoopGroup`, each
/// costing one channel and a three-handler pipeline, without threads or tasks of their own. Methods may be called
/// from anywhere; they hop onto the event loop. Handlers are called on the event loop and must not block.
///
///     let client = MQTTClient(configuration: .init(host: "127.0.0.1", clientID: "gw-1"), eventLoop: loop,
///                             logger: logger, messageHandler: { message in ... })
///     try await client.connect()
///     _ = try await client.subscribe([MQTTSubscription(topicFilter: "sensors/#", qos: .atLeastOnce)])
///     try await client.publish(MQTTMessage(topic: "sensors/1", payload: "21.5", qos: .exactlyOnce))
public final class MQTTClient: Sendable {
    public let configuration: MQTTClientConfiguration
    public let eventLoop: any EventLoop
    private let core: MQTTClientCore

    /// - Parameters:
    ///   - messageHandler: every inbound application message, exactly once for QoS 2.
    ///   - connectionHandler: connected / disconnected / reconnecting notifications.
    public convenience init(
        configuration: MQTTClientConfiguration,
        eventLoop: any EventLoop,
        logger: Logger,
        messageHandler: @escaping @Sendable (MQTTMessage) -> Void,
        connectionHandler: (@Sendable (MQTTConnectionEvent) -> Void)? = nil
    ) {
        self.init(
            configuration: configuration,
            eventLoop: eventLoop,
            logger: logger,
            acknowledgesManually: false,
            deliveryHandler: { message, _ in messageHandler(message) },
            connectionHandler: connectionHandler
        )
    }

    /// A client whose application acknowledges QoS 1/2 deliveries itself: `deliveryHandler` gets each message
    /// with the ``MQTTInboundAcknowledgement`` to pass to ``acknowledge(_:)`` once the message is safe (nil for
    /// QoS 0). Until then the broker holds the message in flight and, within its window, holds back the next.
    public convenience init(
        configuration: MQTTClientConfiguration,
        eventLoop: any EventLoop,
        logger: Logger,
        deliveryHandler: @escaping @Sendable (MQTTMessage, MQTTInboundAcknowledgement?) -> Void,
        connectionHandler: (@Sendable (MQTTConnectionEvent) -> Void)? = nil
    ) {
        self.init(
            configuration: configuration,
            eventLoop: eventLoop,
            logger: logger,
            acknowledgesManually: true,
            deliveryHandler: deliveryHandler,
            connectionHandler: connectionHandler
        )
    }

    private init(
        configuration: MQTTClientConfiguration,
        eventLoop: any EventLoop,
        logger: Logger,
        acknowledgesManually: Bool,
        deliveryHandler: @escaping @Sendable (MQTTMessage, MQTTInboundAcknowledgement?) -> Void,
        connectionHandler: (@Sendable (MQTTConnectionEvent) -> Void)?
    ) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.core = MQTTClientCore(
            configuration: configuration,
            eventLoop: eventLoop,
            logger: logger,
            acknowledgesManually: acknowledgesManually,
            deliveryHandler: deliveryHandler,
            connectionHandler: connectionHandler
        )
    }

    /// Acknowledges a delivery (PUBACK for QoS 1, PUBREC for QoS 2), left for the next flush. Acknowledging while
    /// the connection is down answers the redelivery of a resumed session; an acknowledgement from an earlier
    /// session, or a second one, is ignored.
    public func acknowledge(_ acknowledgement: MQTTInboundAcknowledgement) {
        let core = self.core
        if eventLoop.inEventLoop {
            core.acknowledge(acknowledgement)
        } else {
            eventLoop.execute { core.acknowledge(acknowledgement) }
        }
    }

    /// Opens the connection and completes once CONNACK accepted it.
    ///
    /// Fails with ``MQTTConnectionError`` (``MQTTConnectionError/badUsernameOrPassword``,
    /// ``MQTTConnectionError/timeout``, ``MQTTConnectionError/connectionRefused``, ...). Reconnects after a later
    /// loss follow ``MQTTClientConfiguration/reconnect``; a failed first connect is not retried.
    public func connect() -> EventLoopFuture<MQTTConnectResult> {
        onEventLoop { $0.connect() }
    }

    /// Publishes `message`. QoS 0 completes once written, QoS 1 on PUBACK, QoS 2 on PUBCOMP.
    ///
    /// QoS 1/2 publishes beyond the in-flight limit, or made while a reconnect is pending, queue. Fails with
    /// ``MQTTClientError`` (``MQTTClientError/packetTooLarge`` before anything is sent, ``MQTTClientError/rejected(_:)``
    /// for an MQTT 5.0 failure reason code, ...).
    public func publish(_ message: MQTTMessage) -> EventLoopFuture<Void> {
        onEventLoop { $0.publish(message) }
    }

    /// Publishes `message` without making a future, for callers that publish in bursts.
    ///
    /// `promise`, when given, completes as ``publish(_:)``'s future would. With `flush: false` the packet waits in
    /// the connection's write buffer until ``flush()`` (or the next flushed write), so that a burst of publishes
    /// leaves in one system call. A QoS 0 message published while ``isWritable`` is false is dropped and `promise`
    /// fails with ``MQTTClientError/congested``: at most once never buffers without bound.
    public func publish(_ message: MQTTMessage, flush: Bool, promise: EventLoopPromise<Void>?) {
        let core = self.core
        if eventLoop.inEventLoop {
            core.publish(message, flush: flush, promise: promise)
        } else {
            eventLoop.execute { core.publish(message, flush: flush, promise: promise) }
        }
    }

    /// Sends what unflushed publishes left in the connection's write buffer.
    public func flush() {
        let core = self.core
        if eventLoop.inEventLoop {
            core.flush()
        } else {
            eventLoop.execute { core.flush() }
        }
    }

    /// False while the connection's write buffer is above its high-water mark (NIO's default 64 KiB): the broker
    /// is reading slower than we write. QoS 0 publishes are then dropped; QoS 1 and 2 wait behind the in-flight
    /// limit. True when not connected (publishes then fail or queue as usual).
    public var isWritable: Bool {
        core.writability.withLockedValue { $0 }
    }

    /// Subscribes; the result has one entry per subscription, in order: the granted QoS or why it was refused.
    public func subscribe(
        _ subscriptions: [MQTTSubscription],
        properties: MQTTProperties = MQTTProperties()
    ) -> EventLoopFuture<[MQTTSubscribeResult]> {
        onEventLoop { $0.subscribe(subscriptions, properties: properties) }
    }

    /// Unsubscribes; fails with ``MQTTClientError/rejected(_:)`` if an MQTT 5.0 UNSUBACK reports a failure.
    public func unsubscribe(_ topicFilters: [String]) -> EventLoopFuture<Void> {
        onEventLoop { $0.unsubscribe(topicFilters) }
    }

    /// Sends DISCONNECT (so the broker discards the will) and closes; stops any reconnecting.
    public func disconnect() -> EventLoopFuture<Void> {
        onEventLoop { $0.disconnect(graceful: true) }
    }

    /// Closes the TCP connection without DISCONNECT, so the broker publishes the will; no reconnect follows.
    public func closeAbruptly() -> EventLoopFuture<Void> {
        onEventLoop { $0.disconnect(graceful: false) }
    }

    fileprivate func onEventLoop<Value: Sendable>(
        _ body: @escaping @Sendable (MQTTClientCore) -> EventLoopFuture<Value>
    ) -> EventLoopFuture<Value> {
        let core = self.core
        if eventLoop.inEventLoop { return body(core) }
        return eventLoop.flatSubmit { body(core) }
    }
}

extension MQTTClient {
    /// Opens the connection; returns once CONNACK accepted it.
    @discardableResult
    public func connect() async throws -> MQTTConnectResult {
        try await onEventLoop { $0.connect() }.get()
    }

    /// Publishes; returns when the QoS handshake completed.
    public func publish(_ message: MQTTMessage) async throws {
        try await onEventLoop { $0.publish(message) }.get()
    }

    /// Subscribes; one result per subscription.
    @discardableResult
    public func subscribe(
        _ subscriptions: [MQTTSubscription],
        properties: MQTTProperties = MQTTProperties()
    ) async throws -> [MQTTSubscribeResult] {
        try await onEventLoop { $0.subscribe(subscriptions, properties: properties) }.get()
    }

    /// Unsubscribes.
    public func unsubscribe(_ topicFilters: [String]) async throws {
        try await onEventLoop { $0.unsubscribe(topicFilters) }.get()
    }

    /// Sends DISCONNECT and closes.
    public func disconnect() async throws {
        try await onEventLoop { $0.disconnect(graceful: true) }.get()
    }

    /// Closes without DISCONNECT, so the broker publishes the will.
    public func closeAbruptly() async throws {
        try await onEventLoop { $0.disconnect(graceful: false) }.get()
    }
}
