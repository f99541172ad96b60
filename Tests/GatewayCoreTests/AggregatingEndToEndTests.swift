import Foundation
import Logging
import MQTTClient
import MQTTSN
import NIOCore
import NIOPosix
import Synchronization
import TestSupport
import Testing

/// `gateway.mode: aggregating` from the outside: the real `snbridge run`, a real mosquitto that sees only the
/// bridge's shared sessions, and raw MQTT-SN clients over UDP.
@Suite("Aggregating mode (end to end)", .serialized, .timeLimit(.minutes(2)))
struct AggregatingEndToEndTests {
    /// A broker and the bridge in aggregating mode with two shared sessions (over MQTT 5 unless told otherwise).
    static func testbed(
        broker brokerOptions: MosquittoBroker.Options = .init(),
        protocol version: String = "5",
        clients: String = "{}"
    ) async throws -> BridgeTestbed {
        try await BridgeTestbed.start("aggregating", broker: brokerOptions) { brokerPort, udpPort in
            """
            broker: { url: "mqtt://127.0.0.1:\(brokerPort)", protocol: "\(version)", client_id_prefix: "agg-" }
            gateway: { mode: aggregating, aggregating: { connections: 2 }, clients: \(clients) }
            udp: { listeners: ["127.0.0.1:\(udpPort)"] }
            http: { listen: none }
            discovery: { enabled: false }
            """
        }
    }

    /// Stops the broker, waits until the bridge noticed, and starts a new one on the same port.
    static func restartBroker(_ testbed: BridgeTestbed) async throws {
        await testbed.stopBroker()
        _ = try await testbed.bridge.waitForLog("Shared upstream session lost")
        try await testbed.startBroker()
    }

    /// An MQTT 5 subscriber of our own, which keeps each message's user properties.
    final class Observer: Sendable {
        final class Inbox: Sendable {
            let messages = Mutex<[MQTTMessage]>([])
        }

        let client: MQTTClient
        private let received = Inbox()

        init(broker: MosquittoBroker, group: any EventLoopGroup) {
            let received = self.received
            self.client = MQTTClient(
                configuration: MQTTClientConfiguration(
                    host: broker.host,
                    port: broker.port,
                    protocolVersion: .v5,
                    clientID: "observer-\(UUID().uuidString.prefix(8))"
                ),
                eventLoop: group.next(),
                logger: Logger(label: "observer"),
                messageHandler: { message in received.messages.withLock { $0.append(message) } }
            )
        }

        var messages: [MQTTMessage] { self.received.messages.withLock { $0 } }

        func start(_ filter: String) async throws {
            _ = try await self.client.connect()
            _ = try await self.client.subscribe([MQTTSubscription(topicFilter: filter, qos: .exactlyOnce)])
        }

        func waitFor(_ what: String, _ condition: @escaping @Sendable ([MQTTMessage]) -> Bool) async throws {
            _ = try await eventually(what) { condition(self.messages) ? true : nil }
        }
    }

    @Test(
        "Many clients publish QoS 0, 1 and 2 over two broker sessions: each message once, in order, with its client id"
    )
    func uplink() async throws {
        let setup = try await Self.testbed()
        defer { Task { await setup.stop() } }
        let observer = Observer(broker: setup.broker, group: setup.group)
        try await observer.start("plant/#")
        defer { Task { try? await observer.client.disconnect() } }

        let count = 12
        var clients: [MQTTSNTestClient] = []
        for index in 0..<count {
            let client = try await setup.client()
            #expect(try await client.connect(clientID: "s\(index)") == .accepted)
            clients.append(client)
        }
        for (index, client) in clients.enumerated() {
            let topic = try await client.register("plant/s\(index)/reading", messageID: 1)
            for sequence in 0..<5 {
                #expect(
                    try await SessionFaultEndToEndTests.publish(
                        client,
                        "\(sequence)",
                        topicID: topic.topicID,
                        messageID: UInt16(2 + sequence)
                    ) == .accepted
                )
            }
            try await SessionKillEndToEndTests.publishExactlyOnce(client, "q2", topicID: topic.topicID, messageID: 10)
            try await client.send(
                .publish(MQTTSNPublish(qos: .atMostOnce, topicID: topic.topicID, payload: ByteBuffer(string: "q0")))
            )
        }
        try await observer.waitFor("every message") { messages in
            messages.filter { $0.payload == ByteBuffer(string: "q0") }.count == count
        }
        for index in 0..<count {
            let mine = observer.messages.filter { $0.topic == "plant/s\(index)/reading" }
            #expect(mine.map { String(buffer: $0.payload) } == ["0", "1", "2", "3", "4", "q2", "q0"], "s\(index)")
            let senders = mine.map { message in
                message.properties.entries.compactMap { entry -> String? in
                    if case .userProperty("sn-client-id", let value) = entry { return value }
                    return nil
                }
            }
            #expect(senders.allSatisfy { $0 == ["s\(index)"] }, "s\(index): \(senders)")
        }
        // The broker saw the bridge's two shared sessions (and its status session), never a device's client id.
        let ids = setup.brokerClientIDs
        #expect(
            ids.filter { $0.hasPrefix("agg-snbridge-") && ($0.hasSuffix("-1-1") || $0.hasSuffix("-1-2")) }.count == 2
        )
        #expect(ids.isDisjoint(with: (0..<count).map { "agg-s\($0)" }), "\(ids)")
        for client in clients { await client.close() }
    }

    @Test("gateway.clients.<id>.mode: one client keeps a broker session of its own beside the aggregated ones")
    func modePerClient() async throws {
        // Listing clients makes the gateway accept listed client ids only (`gateway.authentication: auto`).
        let setup = try await Self.testbed(clients: "{ vip: { mode: transparent }, s1: {}, s2: {} }")
        defer { Task { await setup.stop() } }
        let observer = Observer(broker: setup.broker, group: setup.group)
        try await observer.start("plant/#")
        defer { Task { try? await observer.client.disconnect() } }
        var clients: [MQTTSNTestClient] = []
        for name in ["vip", "s1", "s2"] {
            let client = try await setup.client()
            let code = try await client.connect(clientID: name)
            #expect(code == .accepted, "\(name): \(code) \(setup.bridge.process.errorOutput.suffix(30))")
            let topic = try await client.register("plant/\(name)/reading", messageID: 1)
            #expect(
                try await SessionFaultEndToEndTests.publish(
                    client,
                    "from \(name)",
                    topicID: topic.topicID,
                    messageID: 2
                )
                    == .accepted
            )
            clients.append(client)
        }
        try await observer.waitFor("every message") { $0.count == 3 }
        func senders(_ name: String) -> [String] {
            observer.messages.filter { $0.topic == "plant/\(name)/reading" }.flatMap { message in
                message.properties.entries.compactMap { entry -> String? in
                    if case .userProperty("sn-client-id", let value) = entry { return value }
                    return nil
                }
            }
        }
        // The aggregated clients' messages carry their client id; vip's comes from its own session, which needs none.
        #expect(senders("s1") == ["s1"])
        #expect(senders("s2") == ["s2"])
        #expect(senders("vip") == [])
        let ids = setup.brokerClientIDs
        #expect(ids.contains("agg-vip"), "\(ids)")
        #expect(ids.isDisjoint(with: ["agg-s1", "agg-s2"]), "\(ids)")
        // vip's subscription is its own at the broker, not one of the shared session's.
        #expect(
            try await clients[0].subscribe(.name("plant/vip/cmd"), qos: .atLeastOnce, messageID: 3).returnCode
                == .accepted
        )
        _ = try await eventually("vip's SUBSCRIBE at the broker") {
            setup.brokerSubscriptionLog.contains { $0.clientID == "agg-vip" && $0.filter == "plant/vip/cmd" }
                ? true : nil
        }
        for client in clients { await client.close() }
    }

    @Test(
        "Overlapping subscriptions: one copy per client, each at its own QoS; retained messages reach late subscribers once"
    )
    func downlink() async throws {
        let setup = try await Self.testbed()
        defer { Task { await setup.stop() } }
        try await MosquittoPublisher.publish(
            broker: setup.broker,
            topic: "plant/x/cmd",
            payload: "kept",
            qos: 1,
            retain: true
        )

        let a = try await setup.client()
        #expect(try await a.connect(clientID: "a") == .accepted)
        let aSub = try await a.subscribe(.name("plant/+/cmd"), qos: .atLeastOnce, messageID: 1)
        #expect(aSub.returnCode == .accepted)
        #expect(String(buffer: try await Self.receive(a).payload) == "kept")

        let b = try await setup.client()
        #expect(try await b.connect(clientID: "b") == .accepted)
        #expect(try await b.subscribe(.name("plant/#"), qos: .atMostOnce, messageID: 1).returnCode == .accepted)
        #expect(String(buffer: try await Self.receive(b).payload) == "kept")

        // The same filter as a: the broker re-sends the retained message, for c only.
        let c = try await setup.client()
        #expect(try await c.connect(clientID: "c") == .accepted)
        #expect(try await c.subscribe(.name("plant/+/cmd"), qos: .atLeastOnce, messageID: 1).returnCode == .accepted)
        #expect(String(buffer: try await Self.receive(c).payload) == "kept")

        try await MosquittoPublisher.publish(broker: setup.broker, topic: "plant/x/cmd", payload: "go", qos: 1)
        let toA = try await Self.receive(a)
        let toB = try await Self.receive(b)
        let toC = try await Self.receive(c)
        #expect([toA, toB, toC].map { String(buffer: $0.payload) } == ["go", "go", "go"])
        #expect(toA.qos == .atLeastOnce && toC.qos == .atLeastOnce)
        #expect(toB.qos == .atMostOnce)
        // Nothing more: no second copy of "go", no repeated "kept" for a.
        #expect(try await a.receiveNothing(within: .milliseconds(500)))
        #expect(try await b.receiveNothing(within: .milliseconds(100)))
        #expect(try await c.receiveNothing(within: .milliseconds(100)))

        // a and c go; the filter's last client gone, nothing reaches anyone on it any more, b still gets plant/#.
        // One broker subscription per filter, on one shared session, however many clients hold it.
        let subscribed = setup.brokerSubscriptionLog.filter { !$0.unsubscribe && $0.filter == "plant/+/cmd" }
        #expect(subscribed.count == 2)
        #expect(Set(subscribed.map(\.clientID)).count == 1)
        #expect(subscribed.allSatisfy { $0.clientID.hasPrefix("agg-snbridge-") })
        try await Self.unsubscribe(a, "plant/+/cmd")
        // c still holds it: nothing is unsubscribed upstream yet.
        #expect(!setup.brokerSubscriptionLog.contains { $0.unsubscribe && $0.filter == "plant/+/cmd" })
        try await Self.unsubscribe(c, "plant/+/cmd")
        _ = try await eventually("the broker subscription removed") {
            setup.brokerSubscriptionLog.contains { $0.unsubscribe && $0.filter == "plant/+/cmd" } ? true : nil
        }
        try await MosquittoPublisher.publish(broker: setup.broker, topic: "plant/x/cmd", payload: "later", qos: 1)
        #expect(String(buffer: try await Self.receive(b).payload) == "later")
        #expect(try await a.receiveNothing(within: .milliseconds(300)))
        #expect(try await c.receiveNothing(within: .milliseconds(100)))
        for client in [a, b, c] { await client.close() }
    }

    @Test("A lost client's will is published by the gateway on the shared session")
    func will() async throws {
        let setup = try await Self.testbed()
        defer { Task { await setup.stop() } }
        let subscriber = try await MosquittoSubscriber.start(broker: setup.broker, topics: ["plant/#"], qos: 1)
        defer { Task { await subscriber.stop() } }
        let device = try await setup.client()
        let code = try await device.connect(
            clientID: "w1",
            keepAlive: 1,
            will: (topic: "plant/w1/status", message: "gone", qos: .atLeastOnce)
        )
        #expect(code == .accepted)
        // Silent from here on: lost after 1.5 keepalives.
        let will = try await subscriber.waitForMessage(topic: "plant/w1/status", timeout: .seconds(15))
        #expect(will.payload == "gone")
        #expect(!setup.brokerClientIDs.contains { $0.hasSuffix("w1") })
        await device.close()

        // A client that leaves with DISCONNECT leaves no will.
        let polite = try await setup.client()
        let accepted = try await polite.connect(
            clientID: "w2",
            keepAlive: 1,
            will: (topic: "plant/w2/status", message: "gone", qos: .atLeastOnce)
        )
        #expect(accepted == .accepted)
        try await polite.send(.disconnect(MQTTSNDisconnect()))
        _ = try await polite.receive(timeout: .seconds(10)) { packet -> Bool? in
            if case .disconnect = packet { return true }
            return nil
        }
        // Past its keepalive expiry had it stayed: a marker published afterwards arrives, the will did not.
        try await Task.sleep(for: .seconds(2))
        try await MosquittoPublisher.publish(broker: setup.broker, topic: "plant/w2/marker", payload: "m", qos: 1)
        _ = try await subscriber.waitForMessage(topic: "plant/w2/marker")
        #expect(!subscriber.messages.contains { $0.topic == "plant/w2/status" })
        await polite.close()
    }

    @Test("A sleeping client's messages wait for it in the gateway and arrive when it wakes")
    func sleepingClient() async throws {
        let setup = try await Self.testbed()
        defer { Task { await setup.stop() } }
        let device = try await setup.client()
        #expect(try await device.connect(clientID: "z1") == .accepted)
        #expect(
            try await device.subscribe(.name("plant/z1/cmd"), qos: .atLeastOnce, messageID: 1).returnCode == .accepted
        )
        try await SessionKillEndToEndTests.sleep(device, seconds: 60)
        for index in 1...3 {
            try await MosquittoPublisher.publish(
                broker: setup.broker,
                topic: "plant/z1/cmd",
                payload: "c\(index)",
                qos: 1
            )
            // Acknowledged upstream once stored: then the shared session has given it to the gateway for good.
            _ = try await eventually("message \(index) stored") {
                let log = setup.bridge.process.output + setup.bridge.process.errorOutput
                return log.filter { $0.contains("Buffered messages acknowledged upstream once stored") }.count >= index
                    ? true : nil
            }
        }
        #expect(try await SessionKillEndToEndTests.wake(device, clientID: "z1") == ["c1", "c2", "c3"])
        await device.close()
    }

    @Test("A clean-session-off client's subscriptions and messages stay in the gateway across a DISCONNECT")
    func keptSession() async throws {
        let setup = try await Self.testbed()
        defer { Task { await setup.stop() } }
        let device = try await setup.client()
        #expect(try await device.connect(clientID: "k1", cleanSession: false) == .accepted)
        #expect(
            try await device.subscribe(.name("plant/k1/cmd"), qos: .atLeastOnce, messageID: 1).returnCode == .accepted
        )
        try await device.send(.disconnect(MQTTSNDisconnect()))
        _ = try await device.receive(timeout: .seconds(10)) { packet -> Bool? in
            if case .disconnect = packet { return true }
            return nil
        }
        try await MosquittoPublisher.publish(broker: setup.broker, topic: "plant/k1/cmd", payload: "while away", qos: 1)
        #expect(try await device.connect(clientID: "k1", cleanSession: false) == .accepted)
        #expect(String(buffer: try await Self.receive(device).payload) == "while away")
        try await MosquittoPublisher.publish(broker: setup.broker, topic: "plant/k1/cmd", payload: "later", qos: 1)
        #expect(String(buffer: try await Self.receive(device).payload) == "later")
        await device.close()
    }

    @Test("A broker restart: clients keep their sessions, topic ids and subscriptions")
    func brokerRestart() async throws {
        let setup = try await Self.testbed()
        defer { Task { await setup.stop() } }
        let device = try await setup.client()
        #expect(try await device.connect(clientID: "r1") == .accepted)
        let topic = try await device.register("plant/r1/level", messageID: 1)
        #expect(
            try await device.subscribe(.name("plant/r1/cmd"), qos: .atLeastOnce, messageID: 2).returnCode == .accepted
        )

        try await Self.restartBroker(setup)
        _ = try await setup.bridge.waitForLog("Shared upstream session restored", timeout: .seconds(20))
        _ = try await setup.bridge.waitForLog("Upstream session restored", "client.id=r1", timeout: .seconds(20))
        // The same topic id still means the same topic, and the subscription came back without a new SUBSCRIBE.
        let subscriber = try await MosquittoSubscriber.start(broker: setup.broker, topics: ["plant/#"], qos: 1)
        defer { Task { await subscriber.stop() } }
        #expect(
            try await SessionFaultEndToEndTests.publish(device, "after", topicID: topic.topicID, messageID: 3)
                == .accepted
        )
        try await subscriber.waitForMessage { $0.topic == "plant/r1/level" && $0.payload == "after" }
        try await MosquittoPublisher.publish(broker: setup.broker, topic: "plant/r1/cmd", payload: "open", qos: 1)
        #expect(String(buffer: try await Self.receive(device).payload) == "open")
        await device.close()
    }

    @Test("A broker message for two clients is acknowledged upstream only once both have it")
    func sharedAcknowledgement() async throws {
        // One unacknowledged QoS 1 message at a time towards the shared session: the next waits for its PUBACK
        // (mosquitto applies max_inflight_messages to MQTT 3.1.1 sessions; MQTT 5 ones set their Receive Maximum).
        let setup = try await Self.testbed(
            broker: .init(extraConfiguration: ["max_inflight_messages 1"]),
            protocol: "3.1.1"
        )
        defer { Task { await setup.stop() } }
        var devices: [MQTTSNTestClient] = []
        for name in ["slow", "fast"] {
            let device = try await setup.client()
            #expect(try await device.connect(clientID: name) == .accepted)
            #expect(
                try await device.subscribe(.name("plant/all/cmd"), qos: .atLeastOnce, messageID: 1).returnCode
                    == .accepted
            )
            devices.append(device)
        }
        let (slow, fast) = (devices[0], devices[1])
        try await MosquittoPublisher.publish(broker: setup.broker, topic: "plant/all/cmd", payload: "one", qos: 1)
        try await MosquittoPublisher.publish(broker: setup.broker, topic: "plant/all/cmd", payload: "two", qos: 1)
        #expect(String(buffer: try await Self.receive(fast).payload) == "one")
        // The slow device has "one" but does not answer: the broker is still waiting for the shared PUBACK.
        let first = try await slow.receive(timeout: .seconds(10)) { packet -> MQTTSNPublish? in
            if case .publish(let publish) = packet { return publish }
            return nil
        }
        #expect(String(buffer: first.payload) == "one")
        #expect(try await fast.receiveNothing(within: .milliseconds(500)))
        try await slow.send(
            .publishAck(.init(topicID: first.topicID, messageID: first.messageID, returnCode: .accepted))
        )
        #expect(String(buffer: try await Self.receive(fast).payload) == "two")
        #expect(String(buffer: try await Self.receive(slow).payload) == "two")
        for device in devices { await device.close() }
    }

    static func unsubscribe(_ client: MQTTSNTestClient, _ filter: String) async throws {
        try await client.send(.unsubscribe(MQTTSNUnsubscribe(messageID: 9, topic: .name(filter))))
        _ = try await client.receive(timeout: .seconds(10)) { packet -> Bool? in
            if case .unsubscribeAck(let ack) = packet, ack.messageID == 9 { return true }
            return nil
        }
    }

    /// The next PUBLISH for `client`, acknowledged (QoS 1) as a device would; a REGISTER before it (a topic of a
    /// wildcard subscription) is accepted.
    static func receive(_ client: MQTTSNTestClient) async throws -> MQTTSNPublish {
        var publish: MQTTSNPublish?
        while publish == nil {
            switch try await client.receive(timeout: .seconds(10)) {
            case .publish(let received):
                publish = received
            case .register(let register):
                try await client.send(
                    .registerAck(.init(topicID: register.topicID, messageID: register.messageID, returnCode: .accepted))
                )
            default:
                break
            }
        }
        guard let publish else { throw MQTTSNTestClientError.timedOut }
        if publish.qos == .atLeastOnce {
            try await client.send(
                .publishAck(.init(topicID: publish.topicID, messageID: publish.messageID, returnCode: .accepted))
            )
        }
        return publish
    }
}
