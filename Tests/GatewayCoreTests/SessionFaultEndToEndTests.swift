import Foundation
import MQTTClient
import MQTTSN
import NIOCore
import NIOPosix
import TestSupport
import Testing

/// Sessions that survive faults, from the outside: the real `snbridge run`, a real mosquitto behind the TCP fault
/// proxy, and raw MQTT-SN clients over UDP.
@Suite("Sessions across faults (end to end)", .serialized, .timeLimit(.minutes(2)))
struct SessionFaultEndToEndTests {
    /// A bridge in front of a broker reached through a fault proxy, with one UDP listener.
    static func testbed(
        brokerOptions: MosquittoBroker.Options = .init(),
        extraYAML: String = ""
    ) async throws -> BridgeTestbed {
        try await BridgeTestbed.start("faults", broker: brokerOptions, throughFaultProxy: true) { proxyPort, udpPort in
            """
            broker:
              url: "mqtt://127.0.0.1:\(proxyPort)"
              connect_timeout: 2s
              partition_timeout: 3s
              reconnect: { initial_delay: 100ms, max_delay: 500ms }
            udp: { listeners: ["127.0.0.1:\(udpPort)"] }
            http: { listen: "127.0.0.1:\(try FreePort.tcp())" }
            discovery: { enabled: false }
            \(extraYAML)
            """
        }
    }

    /// PUBLISH QoS 1 on `topicID` and the PUBACK's return code.
    static func publish(
        _ client: MQTTSNTestClient,
        _ payload: String,
        topicID: UInt16,
        messageID: UInt16,
        timeout: TimeAmount = .seconds(10)
    ) async throws -> MQTTSNReturnCode {
        try await client.send(
            .publish(
                MQTTSNPublish(
                    qos: .atLeastOnce,
                    topicID: topicID,
                    messageID: messageID,
                    payload: ByteBuffer(string: payload)
                )
            )
        )
        return try await client.receive(timeout: timeout) { packet in
            if case .publishAck(let ack) = packet, ack.messageID == messageID { return ack.returnCode }
            return nil
        }
    }

    @Test("Misrouting after a TCP reset: the session stays, topic ids keep their meaning, the subscription returns")
    func misroutingAfterReset() async throws {
        let setup = try await Self.testbed()
        defer { Task { await setup.stop() } }
        let proxy = try #require(setup.proxy)
        let subscriber = try await MosquittoSubscriber.start(broker: setup.broker, topics: ["plant/#"], qos: 1)
        defer { Task { await subscriber.stop() } }
        let sensor = try await setup.client()
        #expect(try await sensor.connect(clientID: "p1", cleanSession: false) == .accepted)
        let temperature = try await sensor.register("plant/p1/temperature", messageID: 1)
        let valve = try await sensor.subscribe(.name("plant/p1/valve/cmd"), qos: .atLeastOnce, messageID: 2)
        #expect(valve.returnCode == .accepted)
        #expect(try await Self.publish(sensor, "20.0", topicID: temperature.topicID, messageID: 3) == .accepted)

        await proxy.dropAllConnections()
        _ = try await eventually("the upstream session to come back") {
            setup.logCount("Upstream session restored") >= 1 ? true : nil
        }
        // No DISCONNECT, no new CONNECT needed: the same ids go on meaning the same topics.
        #expect(try await Self.publish(sensor, "21.5", topicID: temperature.topicID, messageID: 4) == .accepted)
        try await subscriber.waitForMessage { $0.topic == "plant/p1/temperature" && $0.payload == "21.5" }
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

    @Test("A silent partition is detected through the keepalive: congestion at once, one answer to a repeated CONNECT")
    func silentPartition() async throws {
        let setup = try await Self.testbed()
        defer { Task { await setup.stop() } }
        let proxy = try #require(setup.proxy)
        let subscriber = try await MosquittoSubscriber.start(broker: setup.broker, topics: ["plant/#"], qos: 1)
        defer { Task { await subscriber.stop() } }
        let sensor = try await setup.client()
        #expect(try await sensor.connect(clientID: "p2", cleanSession: false) == .accepted)
        let temperature = try await sensor.register("plant/p2/temperature", messageID: 1)

        // Packets still reach the broker, nothing comes back: no RST, the partition the keepalive must find.
        proxy.swallowServerToClient = true
        _ = try await eventually(timeout: .seconds(15), "the partition to be detected") {
            setup.logCount("Upstream session lost") >= 1 ? true : nil
        }
        #expect(
            try await Self.publish(sensor, "while down", topicID: temperature.topicID, messageID: 2)
                == .rejectedCongestion
        )

        // A new client's CONNECT cannot reach the broker either; its retransmission gets the one real answer.
        let newcomer = try await setup.client()
        let connect = MQTTSNPacket.connect(MQTTSNConnect(duration: 30, clientID: "p3"))
        try await newcomer.send(connect)
        try await newcomer.send(connect)
        let code = try await newcomer.receive(timeout: .seconds(10)) { packet -> MQTTSNReturnCode? in
            if case .connectAck(let ack) = packet { return ack.returnCode }
            return nil
        }
        #expect(code == .rejectedCongestion)
        #expect(try await newcomer.receiveNothing(within: .milliseconds(500)))

        proxy.swallowServerToClient = false
        _ = try await eventually(timeout: .seconds(15), "the upstream session to come back") {
            setup.logCount("Upstream session restored") >= 1 ? true : nil
        }
        #expect(try await Self.publish(sensor, "back", topicID: temperature.topicID, messageID: 3) == .accepted)
        try await subscriber.waitForMessage { $0.topic == "plant/p2/temperature" && $0.payload == "back" }
        #expect(!subscriber.messages.contains { $0.payload == "while down" })
        await newcomer.close()
        await sensor.close()
    }

    @Test("1,000 QoS 1 commands published in a burst to a slowly acknowledging device all arrive")
    func commandBurst() async throws {
        let setup = try await Self.testbed(brokerOptions: .init(extraConfiguration: ["max_queued_messages 2000"]))
        defer { Task { await setup.stop() } }
        let device = try await setup.client()
        #expect(try await device.connect(clientID: "valve-1", cleanSession: false) == .accepted)
        let suback = try await device.subscribe(.name("plant/valve-1/cmd"), qos: .atLeastOnce, messageID: 1)
        #expect(suback.returnCode == .accepted)

        let publisher = MQTTClient(
            configuration: MQTTClientConfiguration(host: setup.broker.host, port: setup.broker.port, clientID: "burst"),
            eventLoop: setup.group.next(),
            logger: .init(label: "burst"),
            messageHandler: { _ in }
        )
        try await publisher.connect()
        let count = 1000
        let published = (1...count).map { index in
            publisher.publish(
                MQTTMessage(topic: "plant/valve-1/cmd", payload: ByteBuffer(string: "cmd-\(index)"), qos: .atLeastOnce)
            )
        }
        var received = Set<String>()
        var deliveries = 0
        while received.count < count {
            let publish = try await device.receive(timeout: .seconds(20)) { packet -> MQTTSNPublish? in
                if case .publish(let publish) = packet { return publish }
                return nil
            }
            deliveries += 1
            received.insert(String(buffer: publish.payload))
            // A slow device: it takes its time before each acknowledgement.
            try await Task.sleep(for: .milliseconds(1))
            try await device.send(
                .publishAck(.init(topicID: publish.topicID, messageID: publish.messageID, returnCode: .accepted))
            )
        }
        #expect(received.count == count)
        #expect(deliveries == count, "no message twice")
        try await EventLoopFuture.andAllSucceed(published, on: setup.group.next()).get()
        try await publisher.disconnect()
        #expect(setup.logCount("Broker message for a client dropped") == 0)
        await device.close()
    }
}
