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
    @Test("QoS 1 PUBLISHes during a broker outage are acknowledged once stored, forwarded in order, and a full buffer says congestion")
    func brokerRestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("snbridge-outage-\(UUID().uuidString)")
        let persistence = directory.appendingPathComponent("mosquitto-db")
        try FileManager.default.createDirectory(at: persistence, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let brokerOptions = MosquittoBroker.Options(
            extraConfiguration: ["persistence true", "persistence_location \(persistence.path)/"]
        )
        let broker = try await MosquittoBroker.start(brokerOptions)
        // A persistent subscriber (clean session off), offline from here on: the broker queues what it gets for it.
        let subscriberArguments = ["-i", "outage-subscriber", "-c"]
        let first = try await MosquittoSubscriber.start(
            broker: broker, topics: ["plant/#"], qos: 1, version: .mqttv311, extraArguments: subscriberArguments)
        await first.stop()

        let udpPort = try FreePort.udp()
        let bridge = try await SNBridgeProcess.start(
            yaml: """
                broker:
                  url: "mqtt://127.0.0.1:\(broker.port)"
                  connect_timeout: 2s
                  reconnect: { initial_delay: 100ms, max_delay: 300ms }
                gateway:
                  outage_buffer: { messages: 3, bytes: 10000 }
                udp: { listeners: ["127.0.0.1:\(udpPort)"] }
                http: { listen: none }
                discovery: { enabled: false }
                """,
            in: directory
        )
        defer { Task { await bridge.process.terminate() } }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { Task { try? await group.shutdownGracefully() } }
        let sensor = try await MQTTSNTestClient.make(
            gateway: try SocketAddress(ipAddress: "127.0.0.1", port: udpPort), group: group)
        defer { Task { await sensor.close() } }
        #expect(try await sensor.connect(clientID: "ob1", cleanSession: false) == .accepted)
        let topic = try await sensor.register("plant/ob1/level", messageID: 1)
        #expect(
            try await SessionFaultEndToEndTests.publish(sensor, "before", topicID: topic.topicID, messageID: 2) == .accepted
        )

        await broker.stop()
        try await bridge.waitForLog("Upstream session lost", "client.id=ob1")
        // Three fit (acknowledged once on disk), the fourth does not: congestion, counted and logged.
        for (index, payload) in ["o1", "o2", "o3"].enumerated() {
            #expect(
                try await SessionFaultEndToEndTests.publish(
                    sensor, payload, topicID: topic.topicID, messageID: UInt16(10 + index)) == .accepted,
                "\(payload)"
            )
        }
        #expect(
            try await SessionFaultEndToEndTests.publish(sensor, "o4", topicID: topic.topicID, messageID: 13)
                == .rejectedCongestion
        )
        try await bridge.waitForLog("PUBLISH not taken into the outage buffer", "drop.reason=outage_buffer_full")

        let restarted = try await MosquittoBroker.start(brokerOptions, port: broker.port)
        defer { Task { await restarted.stop() } }
        try await bridge.waitForLog("Outage buffer forwarded to the broker", "client.id=ob1", timeout: .seconds(20))
        #expect(
            try await SessionFaultEndToEndTests.publish(sensor, "after", topicID: topic.topicID, messageID: 14)
                == .accepted
        )

        let second = try await MosquittoSubscriber.start(
            broker: restarted, topics: ["plant/#"], qos: 1, version: .mqttv311, extraArguments: subscriberArguments)
        defer { Task { await second.stop() } }
        try await second.waitForMessage { $0.payload == "after" }
        let payloads = second.messages.filter { $0.topic == "plant/ob1/level" }.map(\.payload)
        #expect(payloads.filter { $0 != "before" } == ["o1", "o2", "o3", "after"])
    }
}
