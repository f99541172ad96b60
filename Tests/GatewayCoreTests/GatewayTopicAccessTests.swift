import GatewayCore
import MQTTSN
import NIOCore
import NIOPosix
import TestSupport
import Testing

/// Topic ACLs and mountpoints at work, against a real mosquitto over real UDP sockets.
extension GatewayIntegrationTests {
    @Suite("Gateway topic ACLs", .serialized, .timeLimit(.minutes(2)))
    struct GatewayTopicAccessTests {
        static let acl = """
            topic read public/#
            pattern readwrite devices/%c/#
            pattern deny devices/%c/firmware
            """

        @Test(
            "refused PUBLISH gets PUBACK 0x03, SUBSCRIBE SUBACK 0x03, REGISTER REGACK 0x03; nothing reaches the broker"
        )
        func refusals() async throws {
            try await GatewayFixture.with(
                configure: { configuration in
                    configuration.security.accessControl = try! TopicAccessControl(parsing: Self.acl)
                    configuration.predefinedTopics = [90: "devices/dev-2/cmd"]
                },
                { fixture in
                    let observer = try await fixture.observe(["#"])
                    let client = try await fixture.connectedClient("dev-1")
                    // Allowed: its own tree.
                    let own = try await client.register("devices/dev-1/temp", messageID: 1)
                    #expect(own.returnCode == .accepted)
                    #expect(try await client.publish("21.5", topicID: own.topicID, messageID: 2) == .accepted)
                    // Not its own: REGISTER refused; a predefined id naming another tree refused at PUBLISH.
                    #expect(
                        try await client.register("devices/dev-2/cmd", messageID: 3).returnCode == .rejectedNotSupported
                    )
                    #expect(
                        try await client.register("devices/dev-1/firmware", messageID: 4).returnCode
                            == .rejectedNotSupported
                    )
                    #expect(
                        try await client.publish("x", topicID: 90, type: .predefined, messageID: 5)
                            == .rejectedNotSupported
                    )
                    #expect(
                        try await client.publish("y", topicID: 90, type: .predefined, qos: .exactlyOnce, messageID: 6)
                            == .rejectedNotSupported
                    )
                    // Subscriptions: read-only public tree allowed, everything else refused.
                    #expect(
                        try await client.subscribe(.name("public/#"), qos: .atMostOnce, messageID: 7).returnCode
                            == .accepted
                    )
                    #expect(
                        try await client.subscribe(.name("#"), qos: .atMostOnce, messageID: 8).returnCode
                            == .rejectedNotSupported
                    )
                    #expect(
                        try await client.subscribe(.name("devices/dev-2/#"), qos: .atMostOnce, messageID: 9).returnCode
                            == .rejectedNotSupported
                    )
                    #expect(
                        try await client.subscribe(.name("$SYS/#"), qos: .atMostOnce, messageID: 10).returnCode
                            == .rejectedNotSupported
                    )
                    // A marker after the refused ones: once it arrived, any refused message would have arrived before.
                    #expect(try await client.publish("marker", topicID: own.topicID, messageID: 11) == .accepted)
                    try await observer.waitForMessage { $0.payload == "marker" }
                    let topics = Set(try await observer.messages.map(\.topic))
                    #expect(topics == ["devices/dev-1/temp"])
                    let statistics = await fixture.gateway.statistics()
                    #expect(statistics.droppedMessages["access_denied"] == 7)
                    await client.close()
                }
            )
        }

        @Test(
            "a will on a topic the client may not write gets CONNACK 0x03; the status prefix is protected without an ACL"
        )
        func willAndProtectedPrefix() async throws {
            try await GatewayFixture.with(
                configure: { configuration in
                    configuration.predefinedTopics = [7: "snbridge/bridge/status"]
                },
                { fixture in
                    let observer = try await fixture.observe(["#"])
                    let client = try await fixture.client()
                    try await client.send(
                        .connect(MQTTSNConnect(will: true, cleanSession: true, duration: 60, clientID: "spoiler"))
                    )
                    _ = try await client.receive { packet -> Bool? in
                        if case .willTopicRequest = packet { return true }
                        return nil
                    }
                    try await client.send(
                        .willTopic(
                            MQTTSNWillTopic(
                                will: MQTTSNWill(qos: .atLeastOnce, retain: true, topicName: "snbridge/bridge/status")
                            )
                        )
                    )
                    let code = try await client.receive { packet -> MQTTSNReturnCode? in
                        if case .connectAck(let ack) = packet { return ack.returnCode }
                        return nil
                    }
                    #expect(code == .rejectedNotSupported)
                    #expect(try await client.connect(clientID: "spoiler") == .accepted)
                    #expect(
                        try await client.register("snbridge/bridge/status", messageID: 1).returnCode
                            == .rejectedNotSupported
                    )
                    #expect(
                        try await client.publish("online", topicID: 7, type: .predefined, messageID: 2)
                            == .rejectedNotSupported
                    )
                    #expect(
                        try await client.register("$SYS/broker/version", messageID: 3).returnCode
                            == .rejectedNotSupported
                    )
                    let other = try await client.register("plant/ok", messageID: 4)
                    #expect(try await client.publish("fine", topicID: other.topicID, messageID: 5) == .accepted)
                    try await observer.waitForMessage { $0.payload == "fine" }
                    #expect(Set(try await observer.messages.map(\.topic)) == ["plant/ok"])
                    let statistics = await fixture.gateway.statistics()
                    #expect(statistics.rejectedConnections["will_not_allowed"] == 1)
                    await client.close()
                }
            )
        }

        @Test("mountpoint devices/%c/: a board's topics stay in its own tree, both ways")
        func mountpoint() async throws {
            try await GatewayFixture.with(
                configure: { configuration in
                    configuration.security.mountpoint = "devices/%c/"
                },
                { fixture in
                    let observer = try await fixture.observe(["#"])
                    let client = try await fixture.connectedClient("board-9")
                    let topic = try await client.register("temp", messageID: 1)
                    #expect(try await client.publish("19.0", topicID: topic.topicID, messageID: 2) == .accepted)
                    try await observer.waitForMessage { $0.topic == "devices/board-9/temp" && $0.payload == "19.0" }
                    #expect(
                        try await client.subscribe(.name("cmd/#"), qos: .atLeastOnce, messageID: 3).returnCode
                            == .accepted
                    )
                    try await fixture.publish(topic: "devices/board-9/cmd/led", payload: "on", qos: 1)
                    let register = try await client.receive { packet -> MQTTSNRegister? in
                        if case .register(let register) = packet { return register }
                        return nil
                    }
                    #expect(register.topicName == "cmd/led")
                    try await client.send(
                        .registerAck(
                            MQTTSNRegisterAck(
                                topicID: register.topicID,
                                messageID: register.messageID,
                                returnCode: .accepted
                            )
                        )
                    )
                    #expect(String(buffer: try await client.receivePublish().payload) == "on")
                    // A client id that would escape its tree is refused.
                    let escaper = try await fixture.client()
                    #expect(try await escaper.connect(clientID: "../#") == .rejectedNotSupported)
                    await client.close()
                    await escaper.close()
                }
            )
        }
    }
}
