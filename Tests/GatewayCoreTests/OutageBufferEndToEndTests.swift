import Foundation
import MQTTSN
import NIOCore
import NIOPosix
import TestSupport
import Testing

/// `gateway.outage_buffer` from the outside: the real `snbridge run` with a state directory, a real mosquitto stopped
/// by its pid and started again on the same port (with persistence, so a subscriber's queue survives it), and a raw
/// MQTT-SN client publishing through the outage.
@Suite("Outage buffer across a broker restart (end to end)", .serialized, .timeLimit(.minutes(2)))
struct OutageBufferEndToEndTests {
    static let subscriberArguments = ["-i", "outage-subscriber", "-c"]

    /// A persistent mosquitto, a persistent subscriber that went offline (so the broker queues what it gets for it),
    /// and the bridge with a state directory and `gateway` settings in front of the broker.
    static func testbed(gateway: String) async throws -> BridgeTestbed {
        let persistence = FileManager.default.temporaryDirectory
            .appendingPathComponent("snbridge-outage-db-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: persistence, withIntermediateDirectories: true)
        let options = MosquittoBroker.Options(
            extraConfiguration: ["persistence true", "persistence_location \(persistence.path)/"]
        )
        let testbed = try await BridgeTestbed.start("outage", broker: options) { brokerPort, udpPort in
            """
            broker:
              url: "mqtt://127.0.0.1:\(brokerPort)"
              connect_timeout: 2s
              reconnect: { initial_delay: 100ms, max_delay: 300ms }
            gateway: \(gateway)
            udp: { listeners: ["127.0.0.1:\(udpPort)"] }
            http: { listen: none }
            discovery: { enabled: false }
            """
        }
        testbed.alsoRemoved.append(persistence)
        let first = try await Self.subscriber(on: testbed.broker)
        await first.stop()
        return testbed
    }

    /// Stops the broker and waits until the bridge noticed for `clientID`.
    static func stopBroker(_ testbed: BridgeTestbed, noticedBy clientID: String) async throws {
        await testbed.stopBroker()
        try await testbed.bridge.waitForLog("Upstream session lost", "client.id=\(clientID)")
    }

    /// Starts the broker again on its port and waits until the bridge forwarded `clientID`'s outage buffer.
    static func restartBroker(_ testbed: BridgeTestbed, forwardedFor clientID: String) async throws {
        try await testbed.startBroker()
        try await testbed.bridge.waitForLog(
            "Outage buffer forwarded to the broker",
            "client.id=\(clientID)",
            timeout: .seconds(20)
        )
    }

    /// The persistent subscriber back online: what the broker kept for it arrives.
    static func subscriber(on broker: MosquittoBroker) async throws -> MosquittoSubscriber {
        try await MosquittoSubscriber.start(
            broker: broker,
            topics: ["#"],
            qos: 1,
            version: .mqttv311,
            extraArguments: Self.subscriberArguments
        )
    }

    @Test(
        "QoS 1 PUBLISHes during a broker outage are acknowledged once stored, forwarded in order, and a full buffer says congestion"
    )
    func brokerRestart() async throws {
        let setup = try await Self.testbed(gateway: "{ outage_buffer: { messages: 3, bytes: 10000 } }")
        defer { Task { await setup.stop() } }
        let sensor = try await setup.client()
        defer { Task { await sensor.close() } }
        #expect(try await sensor.connect(clientID: "ob1", cleanSession: false) == .accepted)
        let topic = try await sensor.register("plant/ob1/level", messageID: 1)
        #expect(
            try await SessionFaultEndToEndTests.publish(sensor, "before", topicID: topic.topicID, messageID: 2)
                == .accepted
        )

        try await Self.stopBroker(setup, noticedBy: "ob1")
        // Three fit (acknowledged once on disk), the fourth does not: congestion, counted and logged.
        for (index, payload) in ["o1", "o2", "o3"].enumerated() {
            #expect(
                try await SessionFaultEndToEndTests.publish(
                    sensor,
                    payload,
                    topicID: topic.topicID,
                    messageID: UInt16(10 + index)
                ) == .accepted,
                "\(payload)"
            )
        }
        #expect(
            try await SessionFaultEndToEndTests.publish(sensor, "o4", topicID: topic.topicID, messageID: 13)
                == .rejectedCongestion
        )
        try await setup.bridge.waitForLog("PUBLISH not taken into the outage buffer", "drop.reason=outage_buffer_full")

        try await Self.restartBroker(setup, forwardedFor: "ob1")
        #expect(
            try await SessionFaultEndToEndTests.publish(sensor, "after", topicID: topic.topicID, messageID: 14)
                == .accepted
        )

        let second = try await Self.subscriber(on: setup.broker)
        defer { Task { await second.stop() } }
        try await second.waitForMessage { $0.payload == "after" }
        let payloads = second.messages.filter { $0.topic == "plant/ob1/level" }.map(\.payload)
        #expect(payloads.filter { $0 != "before" } == ["o1", "o2", "o3", "after"])
    }

    @Test("A PUBLISH taken into the outage buffer is checked against the ACL and mounted as it is buffered")
    func outageBufferUnderACL() async throws {
        let acl = try SessionKillEndToEndTests.privateFile(
            "acl",
            "pattern readwrite devices/%c/#\npattern deny devices/%c/zz\n"
        )
        defer { try? FileManager.default.removeItem(at: acl.deletingLastPathComponent()) }
        let setup = try await Self.testbed(
            gateway:
                #"{ outage_buffer: { messages: 10, bytes: 10000 }, acl_file: "\#(acl.path)", mountpoint: "devices/%c/" }"#
        )
        defer { Task { await setup.stop() } }
        let sensor = try await setup.client()
        defer { Task { await sensor.close() } }
        #expect(try await sensor.connect(clientID: "ob2", cleanSession: false) == .accepted)
        let level = try await sensor.register("level", messageID: 1)
        #expect(level.returnCode == .accepted)
        #expect(
            try await SessionFaultEndToEndTests.publish(sensor, "before", topicID: level.topicID, messageID: 2)
                == .accepted
        )

        try await Self.stopBroker(setup, noticedBy: "ob2")
        // Buffered: the mounted topic is readable and writable.
        #expect(
            try await SessionFaultEndToEndTests.publish(sensor, "o1", topicID: level.topicID, messageID: 3) == .accepted
        )
        // A short topic name needs no REGISTER, so the PUBLISH itself is checked: devices/ob2/zz is denied.
        let short = try #require(MQTTSNShortTopicName("zz"))
        try await sensor.send(
            .publish(
                MQTTSNPublish(
                    qos: .atLeastOnce,
                    topicIDType: .shortName,
                    topicID: short.rawValue,
                    messageID: 4,
                    payload: ByteBuffer(string: "forbidden")
                )
            )
        )
        let code = try await sensor.receive(timeout: .seconds(10)) { packet -> MQTTSNReturnCode? in
            if case .publishAck(let ack) = packet, ack.messageID == 4 { return ack.returnCode }
            return nil
        }
        #expect(code == .rejectedNotSupported)

        try await Self.restartBroker(setup, forwardedFor: "ob2")
        #expect(
            try await SessionFaultEndToEndTests.publish(sensor, "after", topicID: level.topicID, messageID: 5)
                == .accepted
        )
        let second = try await Self.subscriber(on: setup.broker)
        defer { Task { await second.stop() } }
        try await second.waitForMessage { $0.payload == "after" }
        // Everything but the bridge's status, unmounted copies and the refused one included.
        let arrived = second.messages.filter { !$0.topic.hasPrefix("snbridge/") && $0.payload != "before" }
        #expect(arrived.map(\.topic) == ["devices/ob2/level", "devices/ob2/level"])
        #expect(arrived.map(\.payload) == ["o1", "after"])
    }
}
