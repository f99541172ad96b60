import Logging
import MQTTClient
import NIOCore
import TestSupport

/// Watches the broker side with our own MQTT client: subscribes before the test acts, records every message, and
/// lets the test wait for one with a deadline.
///
/// (mosquitto_sub writes its output block-buffered into a pipe, so a test cannot see its lines as they happen.)
final class BrokerObserver: Sendable {
    private let client: MQTTClient
    private let inbox: BrokerObserverInbox

    private init(client: MQTTClient, inbox: BrokerObserverInbox) {
        self.client = client
        self.inbox = inbox
    }

    /// Connects to `broker`, subscribes to `topics` and returns once the broker acknowledged the subscription.
    static func start(
        broker: MosquittoBroker,
        topics: [String],
        qos: Int = 1,
        group: any EventLoopGroup
    ) async throws -> BrokerObserver {
        let eventLoop = group.next()
        let inbox = BrokerObserverInbox(eventLoop: eventLoop)
        var logger = Logger(label: "snbridge.test.observer")
        logger.logLevel = .warning
        let client = MQTTClient(
            configuration: MQTTClientConfiguration(
                host: broker.host,
                port: broker.port,
                clientID: "observer-\(UInt32.random(in: 0...UInt32.max))"
            ),
            eventLoop: eventLoop,
            logger: logger,
            messageHandler: { message in
                inbox.record(
                    ObservedMessage(
                        topic: message.topic,
                        payload: String(buffer: message.payload),
                        qos: Int(message.qos.rawValue),
                        retain: message.retain
                    )
                )
            }
        )
        try await client.connect()
        let subscriptions = topics.map {
            MQTTSubscription(topicFilter: $0, qos: MQTTQoS(rawValue: UInt8(qos)) ?? .atMostOnce)
        }
        let results = try await client.subscribe(subscriptions).get()
        for result in results {
            _ = try result.get()
        }
        return BrokerObserver(client: client, inbox: inbox)
    }

    /// Every message so far, in order of arrival.
    var messages: [ObservedMessage] {
        get async throws { try await self.inbox.all().get() }
    }

    /// The first message (already seen or still to come) satisfying `predicate`.
    @discardableResult
    func waitForMessage(
        timeout: TimeAmount = .seconds(10),
        where predicate: @escaping @Sendable (ObservedMessage) -> Bool
    ) async throws -> ObservedMessage {
        try await self.inbox.first(where: predicate, timeout: timeout).get()
    }

    @discardableResult
    func waitForMessage(topic: String, timeout: TimeAmount = .seconds(10)) async throws -> ObservedMessage {
        try await self.waitForMessage(timeout: timeout) { $0.topic == topic }
    }

    func stop() async {
        try? await self.client.disconnect().get()
    }
}
