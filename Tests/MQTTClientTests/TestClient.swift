import Foundation
import Logging
import MQTTClient
import NIOCore
import NIOPosix
import TestSupport

/// An ``MQTTClient`` wired to collectors, for integration tests.
struct TestClient {
    let client: MQTTClient
    let messages: Collector<MQTTMessage>
    let events: Collector<TestConnectionEvent>

    init(_ configuration: MQTTClientConfiguration) {
        let messages = Collector<MQTTMessage>()
        let events = Collector<TestConnectionEvent>()
        var logger = Logger(label: "mqtt-test")
        // MQTT_TEST_LOG=trace shows the client's logs when a test needs diagnosing.
        logger.logLevel =
            ProcessInfo.processInfo.environment["MQTT_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        self.messages = messages
        self.events = events
        self.client = MQTTClient(
            configuration: configuration,
            eventLoop: MultiThreadedEventLoopGroup.singleton.next(),
            logger: logger,
            messageHandler: { messages.append($0) },
            connectionHandler: { events.append(TestConnectionEvent($0)) }
        )
    }

    /// Waits for a message on `topic`.
    @discardableResult
    func message(on topic: String, timeout: Duration = .seconds(10)) async throws -> MQTTMessage {
        try await messages.wait(timeout: timeout, "message on \(topic)") { $0.topic == topic }
    }
}

/// ``MQTTConnectionEvent`` made comparable for assertions.
enum TestConnectionEvent: Sendable, Equatable {
    case connected(sessionPresent: Bool)
    case disconnected(MQTTConnectionError?, other: String?)
    case reconnecting(attempt: Int)

    init(_ event: MQTTConnectionEvent) {
        switch event {
        case .connected(let sessionPresent):
            self = .connected(sessionPresent: sessionPresent)
        case .disconnected(let error):
            if let error = error as? MQTTConnectionError {
                self = .disconnected(error, other: nil)
            } else {
                self = .disconnected(nil, other: error.map { "\($0)" })
            }
        case .reconnecting(let attempt, _):
            self = .reconnecting(attempt: attempt)
        }
    }

    var isDisconnected: Bool {
        if case .disconnected = self { true } else { false }
    }
}

extension MQTTProtocolVersion {
    /// The matching `-V` argument of mosquitto_sub / mosquitto_pub.
    var mosquitto: MosquittoProtocolVersion {
        switch self {
        case .v3_1_1: .mqttv311
        case .v5: .mqttv5
        }
    }
}

extension MQTTClientConfiguration {
    /// A configuration for `broker`'s plain listener with a unique client id.
    static func forTest(
        _ broker: MosquittoBroker,
        version: MQTTProtocolVersion,
        clientID: String = "test-\(UInt32.random(in: 0...UInt32.max))"
    ) -> MQTTClientConfiguration {
        MQTTClientConfiguration(
            host: broker.host,
            port: broker.port,
            protocolVersion: version,
            clientID: clientID,
            connectTimeout: .seconds(5)
        )
    }
}

/// A unique topic per test, so parallel tests never see each other's messages.
func uniqueTopic(_ prefix: String) -> String {
    "test/\(prefix)/\(UInt32.random(in: 0...UInt32.max))"
}

/// Runs `body` with a fresh broker and always stops the broker afterwards.
func withBroker<Result>(
    _ options: MosquittoBroker.Options = .init(),
    _ body: (MosquittoBroker) async throws -> Result
) async throws -> Result {
    let broker = try await MosquittoBroker.start(options)
    do {
        let result = try await body(broker)
        await broker.stop()
        return result
    } catch {
        await broker.stop()
        throw error
    }
}
