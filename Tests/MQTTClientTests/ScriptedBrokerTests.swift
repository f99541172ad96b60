import Foundation
import MQTTClient
import NIOCore
import Testing

/// Broker answers mosquitto cannot be made to give, over real loopback TCP through the whole client.
@Suite("Scripted broker", .timeLimit(.minutes(1)))
struct ScriptedBrokerTests {
    static func connack(_ code: UInt8 = 0, properties: MQTTProperties = []) -> MQTTPacket {
        .connack(MQTTConnAckPacket(sessionPresent: false, returnCode: code, properties: properties))
    }

    static func configuration(_ broker: ScriptedBroker, _ version: MQTTProtocolVersion) -> MQTTClientConfiguration {
        MQTTClientConfiguration(
            host: "127.0.0.1",
            port: broker.port,
            protocolVersion: version,
            clientID: "scripted",
            connectTimeout: .seconds(5)
        )
    }

    static let refusals: [(MQTTProtocolVersion, UInt8, MQTTConnectionError)] = [
        (.v3_1_1, 4, .badUsernameOrPassword),
        (.v5, 0x86, .badUsernameOrPassword),
        (.v3_1_1, 5, .notAuthorized),
        (.v5, 0x87, .notAuthorized),
        (.v3_1_1, 2, .identifierRejected),
        (.v3_1_1, 1, .unacceptableProtocolVersion),
        (.v5, 0x89, .serverUnavailable),
        (.v5, 0x8A, .rejected(.banned)),
    ]

    @Test("a refused CONNACK fails connect with its typed error", arguments: refusals)
    func refusedConnAck(version: MQTTProtocolVersion, code: UInt8, expected: MQTTConnectionError) async throws {
        let broker = try await ScriptedBroker.start(version: version) { packet in
            if case .connect = packet { return [Self.connack(code)] }
            return []
        }
        let client = TestClient(Self.configuration(broker, version))
        do {
            try await client.client.connect()
            Issue.record("connect must fail")
        } catch let error as MQTTConnectionError {
            #expect(error == expected)
            #expect(error.reasonCode?.rawValue == code)
        }
        await broker.stop()
    }

    @Test("a v5 PUBACK failure reason fails the publish with that reason")
    func pubAckFailure() async throws {
        let broker = try await ScriptedBroker.start(version: .v5) { packet in
            switch packet {
            case .connect: return [Self.connack()]
            case .publish(let publish):
                return [.puback(MQTTPublishResponsePacket(packetID: publish.packetID!, reasonCode: .quotaExceeded))]
            default: return []
            }
        }
        let client = TestClient(Self.configuration(broker, .v5))
        try await client.client.connect()
        do {
            try await client.client.publish(MQTTMessage(topic: "t", payload: "x", qos: .atLeastOnce))
            Issue.record("publish must fail")
        } catch let error as MQTTClientError {
            #expect(error == .rejected(.quotaExceeded))
            #expect(error.reasonCode == .quotaExceeded)
        }
        try await client.client.disconnect()
        await broker.stop()
    }

    @Test("a redelivered QoS 2 PUBLISH is handed to the application once")
    func inboundQoS2Duplicate() async throws {
        let message = MQTTMessage(topic: "dup", payload: "once", qos: .exactlyOnce)
        let completions = Counter()
        let receipts = Counter()
        let broker = try await ScriptedBroker.start(version: .v3_1_1) { packet in
            switch packet {
            case .connect:
                // Deliver, then redeliver with DUP as a broker does when it did not see our PUBREC in time.
                return [
                    Self.connack(),
                    .publish(MQTTPublishPacket(message: message, packetID: 5)),
                    .publish(MQTTPublishPacket(message: message, packetID: 5, duplicate: true)),
                ]
            case .pubrec(let pubrec):
                // Release after the first receipt only; the second acknowledges the duplicate.
                return receipts.increment() == 2 ? [] : [.pubrel(MQTTPublishResponsePacket(packetID: pubrec.packetID))]
            case .pubcomp where completions.increment() == 1:
                // After the handshake, the same identifier starts a new message.
                return [
                    .publish(
                        MQTTPublishPacket(
                            message: MQTTMessage(topic: "dup", payload: "again", qos: .exactlyOnce),
                            packetID: 5
                        )
                    )
                ]
            default:
                return []
            }
        }
        let client = TestClient(Self.configuration(broker, .v3_1_1))
        try await client.client.connect()
        try await broker.received.wait(count: 2, "PUBCOMP for the second message") {
            if case .pubcomp = $0 { true } else { false }
        }
        #expect(client.messages.all.map { String(buffer: $0.payload) } == ["once", "again"])
        // Every delivery, the duplicate included, was acknowledged with PUBREC.
        #expect(broker.received.all.filter { if case .pubrec = $0 { true } else { false } }.count == 3)
        try await client.client.disconnect()
        await broker.stop()
    }

    @Test("a broker that stops answering PINGREQ is detected")
    func unansweredPing() async throws {
        let broker = try await ScriptedBroker.start(version: .v5) { packet in
            if case .connect = packet { return [Self.connack()] }
            return []
        }
        var configuration = Self.configuration(broker, .v5)
        configuration.keepAlive = .seconds(1)
        let client = TestClient(configuration)
        try await client.client.connect()
        let event = try await client.events.wait(timeout: .seconds(5)) { $0.isDisconnected }
        #expect(event == .disconnected(.keepAliveTimeout, other: nil))
        #expect(broker.received.all.contains(.pingreq))
        await broker.stop()
    }

    @Test("the broker's v5 Maximum Packet Size is enforced on publish")
    func brokerMaximumPacketSize() async throws {
        let broker = try await ScriptedBroker.start(version: .v5) { packet in
            switch packet {
            case .connect: return [Self.connack(properties: [.maximumPacketSize(64)])]
            case .publish(let publish): return [.puback(MQTTPublishResponsePacket(packetID: publish.packetID!))]
            default: return []
            }
        }
        let client = TestClient(Self.configuration(broker, .v5))
        let result = try await client.client.connect()
        #expect(result.properties.maximumPacketSize == 64)
        await #expect(throws: MQTTClientError.packetTooLarge) {
            try await client.client.publish(
                MQTTMessage(topic: "t", payload: String(repeating: "x", count: 100), qos: .atLeastOnce)
            )
        }
        try await client.client.publish(MQTTMessage(topic: "t", payload: "small", qos: .atLeastOnce))
        // Only the small one went over the wire.
        let publishes = broker.received.all.filter { if case .publish = $0 { true } else { false } }
        #expect(publishes.count == 1)
        try await client.client.disconnect()
        await broker.stop()
    }
}

/// A thread-safe counter for stateful scripts.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    /// Adds one and returns the new value.
    func increment() -> Int {
        lock.withLock {
            value += 1
            return value
        }
    }
}
