import Logging
import MQTTClient
import NIOCore

/// An ``UpstreamSession`` over our ``MQTTClient``: one TCP (or TLS) connection to the broker.
final class MQTTClientUpstream: UpstreamSession {
    private let client: MQTTClient?
    private let setupError: UpstreamConnectError?
    private let eventLoop: any EventLoop

    init(
        configuration: MQTTClientConfiguration,
        eventLoop: any EventLoop,
        logger: Logger,
        events: UpstreamSessionEvents
    ) {
        self.eventLoop = eventLoop
        self.setupError = nil
        self.client = MQTTClient(
            configuration: configuration,
            eventLoop: eventLoop,
            logger: logger,
            messageHandler: { message in
                events.message(
                    UpstreamMessage(
                        topic: message.topic,
                        payload: message.payload,
                        qos: UpstreamQoS(rawValue: message.qos.rawValue) ?? .atMostOnce,
                        retain: message.retain
                    )
                )
            },
            connectionHandler: { event in
                if case .disconnected = event {
                    events.connectionLost()
                }
            }
        )
    }

    /// A session that can only fail, for a configuration that cannot work (unreadable TLS files).
    init(failing error: UpstreamConnectError, eventLoop: any EventLoop) {
        self.client = nil
        self.setupError = error
        self.eventLoop = eventLoop
    }

    func connect() -> EventLoopFuture<Void> {
        guard let client = self.client else {
            return self.eventLoop.makeFailedFuture(self.setupError ?? .refused("no client"))
        }
        return client.connect().map { _ in }.flatMapErrorThrowing { error in
            throw Self.connectError(error)
        }
    }

    func publish(_ message: UpstreamMessage, promise: EventLoopPromise<Void>?) {
        guard let client = self.client else {
            promise?.fail(MQTTClientError.notConnected)
            return
        }
        client.publish(
            MQTTMessage(
                topic: message.topic,
                payload: message.payload,
                qos: MQTTQoS(rawValue: message.qos.rawValue) ?? .atMostOnce,
                retain: message.retain
            ),
            flush: false,
            promise: promise
        )
    }

    func flush() {
        self.client?.flush()
    }

    var isWritable: Bool {
        self.client?.isWritable ?? true
    }

    func subscribe(topicFilter: String, qos: UpstreamQoS) -> EventLoopFuture<UpstreamQoS> {
        guard let client = self.client else {
            return self.eventLoop.makeFailedFuture(MQTTClientError.notConnected)
        }
        // Retain as published (MQTT 5): the client sees the retain flag the publisher set, as it would on a direct
        // MQTT 5 subscription; MQTT 3.1.1 brokers set it only for messages retained before the subscription.
        let subscription = MQTTSubscription(
            topicFilter: topicFilter,
            qos: MQTTQoS(rawValue: qos.rawValue) ?? .atMostOnce,
            retainAsPublished: true
        )
        return client.subscribe([subscription]).flatMapThrowing { results in
            guard let result = results.first else {
                throw MQTTClientError.notConnected
            }
            let granted = try result.get()
            return UpstreamQoS(rawValue: granted.rawValue) ?? .atMostOnce
        }
    }

    func unsubscribe(topicFilter: String) -> EventLoopFuture<Void> {
        guard let client = self.client else {
            return self.eventLoop.makeFailedFuture(MQTTClientError.notConnected)
        }
        return client.unsubscribe([topicFilter])
    }

    func disconnect() -> EventLoopFuture<Void> {
        self.client?.disconnect() ?? self.eventLoop.makeSucceededVoidFuture()
    }

    func closeAbruptly() -> EventLoopFuture<Void> {
        self.client?.closeAbruptly() ?? self.eventLoop.makeSucceededVoidFuture()
    }

    /// Sorts the client's connect failures into transient and permanent ones (see ``UpstreamConnectError``).
    static func connectError(_ error: any Error) -> UpstreamConnectError {
        guard let connectionError = error as? MQTTConnectionError else {
            return .unavailable("\(error)")
        }
        switch connectionError {
        case .badUsernameOrPassword, .notAuthorized:
            return .notAuthorized("\(connectionError)")
        case .identifierRejected:
            return .identifierRejected("\(connectionError)")
        case .serverUnavailable, .timeout, .connectionRefused, .connectionClosed, .keepAliveTimeout,
            .serverDisconnected:
            return .unavailable("\(connectionError)")
        default:
            return .refused("\(connectionError)")
        }
    }
}
