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
        // The first CONNACK completes connect(); only later ones are reconnects worth reporting.
        // The connection handler runs on the client's event loop.
        let connectedBefore = NIOLoopBoundBox.makeBoxSendingValue(false, eventLoop: eventLoop)
        self.client = MQTTClient(
            configuration: configuration,
            eventLoop: eventLoop,
            logger: logger,
            deliveryHandler: { message, acknowledgement in
                events.message(
                    UpstreamMessage(
                        topic: message.topic,
                        payload: message.payload,
                        qos: UpstreamQoS(rawValue: message.qos.rawValue) ?? .atMostOnce,
                        retain: message.retain
                    ),
                    acknowledgement.map(UpstreamAcknowledgement.init)
                )
            },
            connectionHandler: { event in
                switch event {
                case .disconnected(let error):
                    // nil: we closed it ourselves.
                    if error != nil { events.connectionLost() }
                case .connected(let sessionPresent):
                    let isReconnect = connectedBefore.value
                    connectedBefore.value = true
                    if isReconnect { events.connectionRestored(sessionPresent) }
                case .reconnecting:
                    break
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

    func connect() -> EventLoopFuture<Bool> {
        guard let client = self.client else {
            return self.eventLoop.makeFailedFuture(self.setupError ?? .refused("no client"))
        }
        return client.connect().map(\.sessionPresent).flatMapErrorThrowing { error in
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

    func acknowledge(_ acknowledgement: UpstreamAcknowledgement) {
        guard let mqtt = acknowledgement.mqtt else { return }
        self.client?.acknowledge(mqtt)
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
