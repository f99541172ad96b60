import Foundation
import MQTTClient
import MQTTSN
import NIOCore
import NIOPosix
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Sessions that survive a SIGKILL of the bridge, from the outside: the real `snbridge run` with a real state
/// directory, killed with `kill -9` and started again on the same directory and UDP port, a real mosquitto, and raw
/// MQTT-SN clients over UDP that go on as if nothing happened.
@Suite("Sessions across a SIGKILL of the bridge (end to end)", .serialized, .timeLimit(.minutes(2)))
struct SessionKillEndToEndTests {
    /// A broker, a state directory and the bridge in front of them, which a test kills and starts again; `udp` is
    /// added inside the `udp:` mapping (e.g. `, dtls: {...}`), `extraYAML` at the top level.
    static func testbed(udp: String = "", extraYAML: String = "") async throws -> BridgeTestbed {
        try await BridgeTestbed.start("kill") { brokerPort, udpPort in
            """
            broker:
              url: "mqtt://127.0.0.1:\(brokerPort)"
              connect_timeout: 2s
              reconnect: { initial_delay: 100ms, max_delay: 500ms }
            udp: { listeners: ["127.0.0.1:\(udpPort)"]\(udp) }
            http: { listen: none }
            discovery: { enabled: false }
            \(extraYAML)
            """
        }
    }

    /// A QoS 2 PUBLISH answered with PUBREC, and the exchange finished. The gateway sends PUBREC only once the
    /// session holding the message id is durable, so afterwards everything the session did before is on disk too.
    static func publishExactlyOnce(
        _ client: MQTTSNTestClient,
        _ payload: String,
        topicID: UInt16,
        messageID: UInt16
    ) async throws {
        try await client.send(.publish(Self.qos2(payload, topicID: topicID, messageID: messageID)))
        try await Self.receivePublishReceived(client, messageID: messageID)
        try await client.send(.publishRelease(.init(messageID: messageID)))
        _ = try await client.receive(timeout: .seconds(10)) { packet -> Bool? in
            if case .publishComplete(let complete) = packet, complete.messageID == messageID { return true }
            return nil
        }
    }

    static func qos2(_ payload: String, topicID: UInt16, messageID: UInt16, dup: Bool = false) -> MQTTSNPublish {
        MQTTSNPublish(
            dup: dup,
            qos: .exactlyOnce,
            topicID: topicID,
            messageID: messageID,
            payload: ByteBuffer(string: payload)
        )
    }

    static func receivePublishReceived(_ client: MQTTSNTestClient, messageID: UInt16) async throws {
        _ = try await client.receive(timeout: .seconds(10)) { packet -> Bool? in
            if case .publishReceived(let received) = packet, received.messageID == messageID { return true }
            if case .publishAck(let ack) = packet, ack.messageID == messageID {
                Issue.record("PUBACK \(ack.returnCode) instead of PUBREC")
                return false
            }
            return nil
        }
    }

    @Test("Misrouting after a SIGKILL: the restored session keeps its topic ids and its subscription")
    func misroutingAfterKill() async throws {
        let setup = try await Self.testbed()
        defer { Task { await setup.stop() } }
        let subscriber = try await MosquittoSubscriber.start(broker: setup.broker, topics: ["plant/#"], qos: 1)
        defer { Task { await subscriber.stop() } }
        let sensor = try await setup.client()
        #expect(try await sensor.connect(clientID: "p1", cleanSession: false) == .accepted)
        let temperature = try await sensor.register("plant/p1/temperature", messageID: 1)
        let valve = try await sensor.subscribe(.name("plant/p1/valve/cmd"), qos: .atLeastOnce, messageID: 2)
        #expect(valve.returnCode == .accepted)
        #expect(temperature.topicID != valve.topicID)
        try await Self.publishExactlyOnce(sensor, "20.0", topicID: temperature.topicID, messageID: 3)
        try await subscriber.waitForMessage { $0.topic == "plant/p1/temperature" && $0.payload == "20.0" }

        try await setup.killAndRestart()
        try await setup.bridge.waitForLog("Client connected", "client.id=p1")

        // MQTT-SN 1.2 has no session-present flag: the sensor reconnects with clean session off and keeps its ids.
        #expect(try await sensor.connect(clientID: "p1", cleanSession: false) == .accepted)
        #expect(
            try await SessionFaultEndToEndTests.publish(sensor, "21.5", topicID: temperature.topicID, messageID: 4)
                == .accepted
        )
        try await subscriber.waitForMessage { $0.topic == "plant/p1/temperature" && $0.payload == "21.5" }
        #expect(!subscriber.messages.contains { $0.topic == "plant/p1/valve/cmd" })

        // The subscription came back with the session: a command still reaches the sensor, on the valve's id.
        try await MosquittoPublisher.publish(broker: setup.broker, topic: "plant/p1/valve/cmd", payload: "open", qos: 1)
        let command = try await sensor.receive(timeout: .seconds(10)) { packet -> MQTTSNPublish? in
            if case .register(let register) = packet {
                Issue.record("unexpected REGISTER \(register.topicName) for id \(register.topicID)")
            }
            if case .publish(let publish) = packet { return publish }
            return nil
        }
        #expect(command.topicID == valve.topicID)
        #expect(command.topicID != temperature.topicID)
        #expect(String(buffer: command.payload) == "open")
        try await sensor.send(
            .publishAck(.init(topicID: command.topicID, messageID: command.messageID, returnCode: .accepted))
        )
        #expect(!subscriber.messages.contains { $0.topic == "plant/p1/valve/cmd" && $0.payload != "open" })
        await sensor.close()
    }

    @Test("QoS 2 repeated with DUP after a SIGKILL reaches the broker exactly once")
    func exactlyOnceAcrossKill() async throws {
        let setup = try await Self.testbed()
        defer { Task { await setup.stop() } }
        let subscriber = try await MosquittoSubscriber.start(broker: setup.broker, topics: ["plant/#"], qos: 2)
        defer { Task { await subscriber.stop() } }
        let sensor = try await setup.client()
        #expect(try await sensor.connect(clientID: "q2", cleanSession: false) == .accepted)
        let counter = try await sensor.register("plant/q2/counter", messageID: 1)

        // The PUBREC is "lost": the sensor never sends PUBREL, and repeats the PUBLISH after the bridge restarted.
        try await sensor.send(.publish(Self.qos2("once", topicID: counter.topicID, messageID: 7)))
        try await Self.receivePublishReceived(sensor, messageID: 7)
        try await subscriber.waitForMessage { $0.topic == "plant/q2/counter" && $0.payload == "once" }

        try await setup.killAndRestart()
        try await setup.bridge.waitForLog("Client connected", "client.id=q2")

        try await sensor.send(.publish(Self.qos2("once", topicID: counter.topicID, messageID: 7, dup: true)))
        try await Self.receivePublishReceived(sensor, messageID: 7)
        try await sensor.send(.publishRelease(.init(messageID: 7)))
        _ = try await sensor.receive(timeout: .seconds(10)) { packet -> Bool? in
            if case .publishComplete(let complete) = packet, complete.messageID == 7 { return true }
            return nil
        }
        // A later message on the same upstream session arrives after any copy of the first would have.
        try await Self.publishExactlyOnce(sensor, "marker", topicID: counter.topicID, messageID: 8)
        try await subscriber.waitForMessage { $0.topic == "plant/q2/counter" && $0.payload == "marker" }
        #expect(subscriber.messages.filter { $0.payload == "once" }.count == 1)
        await sensor.close()
    }

    @Test("A sleeping client's buffered QoS 1 messages survive a SIGKILL of the bridge")
    func sleepBufferAcrossKill() async throws {
        let setup = try await Self.testbed()
        defer { Task { await setup.stop() } }
        let sensor = try await setup.client()
        // Clean session on: the broker keeps nothing for it, so what the sensor gets after the kill is the store's.
        #expect(try await sensor.connect(clientID: "sleepy", cleanSession: true) == .accepted)
        let suback = try await sensor.subscribe(.name("plant/sleepy/cmd"), qos: .atLeastOnce, messageID: 1)
        #expect(suback.returnCode == .accepted)
        try await Self.sleep(sensor, seconds: 120)

        let count = 3
        for index in 1...count {
            try await MosquittoPublisher.publish(
                broker: setup.broker,
                topic: "plant/sleepy/cmd",
                payload: "cmd-\(index)",
                qos: 1
            )
            // Acknowledged upstream only once stored: then the broker forgets it and the store has it.
            _ = try await eventually("message \(index) stored") {
                setup.logCount("Buffered messages acknowledged upstream once stored") >= index ? true : nil
            }
        }

        try await setup.killAndRestart()

        #expect(try await Self.wake(sensor, clientID: "sleepy") == (1...count).map { "cmd-\($0)" })
        await sensor.close()
    }

    /// DISCONNECT with a duration, answered with DISCONNECT: the client is asleep.
    static func sleep(_ client: MQTTSNTestClient, seconds: UInt16) async throws {
        try await client.send(.disconnect(MQTTSNDisconnect(duration: seconds)))
        _ = try await client.receive(timeout: .seconds(10)) { packet -> Bool? in
            if case .disconnect = packet { return true }
            return nil
        }
    }

    /// Awake: PINGREQ with the client id, then the buffered messages (each acknowledged, a REGISTER answered) until
    /// PINGRESP; their payloads.
    static func wake(_ client: MQTTSNTestClient, clientID: String) async throws -> [String] {
        try await client.send(.pingRequest(MQTTSNPingRequest(clientID: clientID)))
        var received: [String] = []
        while true {
            let packet = try await client.receive(timeout: .seconds(10))
            if case .publish(let publish) = packet {
                received.append(String(buffer: publish.payload))
                try await client.send(
                    .publishAck(.init(topicID: publish.topicID, messageID: publish.messageID, returnCode: .accepted))
                )
            } else if case .register(let register) = packet {
                try await client.send(
                    .registerAck(.init(topicID: register.topicID, messageID: register.messageID, returnCode: .accepted))
                )
            } else if case .pingResponse = packet {
                return received
            }
        }
    }
}
