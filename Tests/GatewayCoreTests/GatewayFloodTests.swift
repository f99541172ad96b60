import GatewayCore
import MQTTSN
import NIOCore
import NIOPosix
import TestSupport
import Testing

/// Forged CONNECT floods and reflection, on loopback against a real mosquitto.
extension GatewayIntegrationTests {
    @Suite("Gateway flood resistance", .serialized, .timeLimit(.minutes(3)))
    struct GatewayFloodTests {
        /// `count` CONNECTs with fresh client ids and keepalive 0, written in bursts from `socket`.
        static func forgeConnects(_ count: Int, from socket: MQTTSNTestClient, round: Int) async throws {
            for index in 0..<count {
                var buffer = ByteBuffer()
                try MQTTSNPacket.connect(
                    MQTTSNConnect(cleanSession: true, duration: 0, clientID: "forged-\(round)-\(index)")
                ).encode(into: &buffer)
                let envelope = AddressedEnvelope(remoteAddress: socket.gateway, data: buffer)
                if index % 256 == 255 || index == count - 1 {
                    try await socket.channel.writeAndFlush(envelope).get()
                } else {
                    socket.channel.write(envelope, promise: nil)
                }
            }
        }

        /// What a device does when an answer does not come (its datagram may have been lost in the flood): try
        /// again, as MQTT-SN's T_retry says.
        static func retrying<Value: Sendable>(
            _ attempts: Int = 10,
            _ operation: () async throws -> Value
        ) async throws -> Value {
            for _ in 1..<attempts {
                do {
                    return try await operation()
                } catch MQTTSNTestClientError.timedOut {
                    continue
                }
            }
            return try await operation()
        }

        @Test("A SEARCHGW flood is answered with at most the burst of GWINFO; the rest is counted")
        func searchGatewayFlood() async throws {
            try await GatewayFixture.with { fixture in
                let searcher = try await fixture.client()
                var search = ByteBuffer()
                try MQTTSNPacket.searchGateway(MQTTSNSearchGateway(radius: 1)).encode(into: &search)
                for _ in 0..<500 {
                    searcher.channel.write(
                        AddressedEnvelope(remoteAddress: searcher.gateway, data: search),
                        promise: nil
                    )
                }
                searcher.channel.flush()
                var answers = 0
                while (try? await searcher.receive(timeout: .milliseconds(300))) != nil {
                    answers += 1
                }
                // The burst of 20, plus what 10 per second refill while the datagrams are read.
                #expect(answers >= 20)
                #expect(answers <= 30)
                let statistics = await fixture.gateway.statistics()
                #expect(statistics.droppedMessages["searchgw_rate_limited"] == 500 - answers)
                await searcher.close()
            }
        }

        @Test("20,000 forged CONNECTs from one source while a configured device keeps connecting and publishing")
        func forgedConnectFlood() async throws {
            try await GatewayFixture.with(
                configure: { configuration in
                    configuration.security.authentication = .open
                    configuration.clients["meter-1"] = .init(allowedSources: ["127.0.0.2"])
                    configuration.security.sourceLimits.burst = 100
                    configuration.security.sourceLimits.newSessionsPerSecond = 20
                },
                { fixture in
                    let observer = try await fixture.observe(["meter/#"])
                    let attacker = try await MQTTSNTestClient.make(
                        gateway: fixture.gatewayAddress,
                        group: fixture.group
                    )
                    for round in 0..<10 {
                        try await Self.forgeConnects(2_000, from: attacker, round: round)
                        let device = try await MQTTSNTestClient.make(
                            gateway: fixture.gatewayAddress,
                            group: fixture.group,
                            host: "127.0.0.2"
                        )
                        let code = try await Self.retrying {
                            try await device.connect(clientID: "meter-1", timeout: .seconds(1))
                        }
                        #expect(code == .accepted)
                        let topic = try await Self.retrying {
                            try await device.register("meter/1/energy", messageID: 1)
                        }
                        let ack = try await Self.retrying {
                            try await device.publish(
                                "kwh \(round)",
                                topicID: topic.topicID,
                                messageID: 2,
                                timeout: .seconds(1)
                            )
                        }
                        #expect(ack == .accepted)
                        try await device.send(.disconnect(MQTTSNDisconnect()))
                        await device.close()
                    }
                    for round in 0..<10 {
                        try await observer.waitForMessage { $0.payload == "kwh \(round)" }
                    }
                    let sessions = await fixture.gateway.sessions()
                    let held = sessions.filter { $0.state != .lost }.count
                    // The burst and what the rate refilled during the test, never thousands.
                    #expect(held <= 100 + 20 * 60)
                    let statistics = await fixture.gateway.statistics()
                    #expect(statistics.rejectedConnections["source_rate_limited", default: 0] > 0)
                    // The forger cannot claim the device's id from its own source either.
                    let forger = try await MQTTSNTestClient.make(
                        gateway: fixture.gatewayAddress,
                        group: fixture.group,
                        host: "127.0.0.3"
                    )
                    #expect(
                        try await Self.retrying { try await forger.connect(clientID: "meter-1", timeout: .seconds(1)) }
                            == .rejectedNotSupported
                    )
                    await forger.close()
                    await attacker.close()
                }
            )
        }

        @Test(
            "a spoofed CONNECT + SUBSCRIBE reflects at most the unconfirmed budget; a real client confirms and gets all"
        )
        func reflectionBounded() async throws {
            try await GatewayFixture.with(
                configure: { $0.security.unconfirmedSendBudget = 4_096 },
                { fixture in
                    // The "victim" sends CONNECT and SUBSCRIBE (what a spoofer would send in its name), then never answers.
                    // (A spoofer sends the SUBSCRIBE blind, a moment after the CONNECT; here the CONNACK marks the moment.)
                    let victim = try await fixture.client()
                    #expect(try await victim.connect(clientID: "spoofed", keepAlive: 600) == .accepted)
                    try await victim.send(
                        .subscribe(MQTTSNSubscribe(qos: .atMostOnce, messageID: 1, topic: .name("flood/x")))
                    )
                    let real = try await fixture.connectedClient("real")
                    #expect(
                        try await real.subscribe(.name("flood/x"), qos: .atLeastOnce, messageID: 1).returnCode
                            == .accepted
                    )
                    try await fixture.waitUntil { sessions, _ in
                        sessions.contains { $0.clientID == "spoofed" && $0.topicCount == 1 }
                    }
                    let payload = String(repeating: "x", count: 300)
                    for index in 0..<60 {
                        try await fixture.publish(topic: "flood/x", payload: "\(index) \(payload)", qos: 1)
                    }
                    // The real client acknowledges and so gets every message.
                    for index in 0..<60 {
                        let publish = try await real.receivePublish()
                        #expect(String(buffer: publish.payload).hasPrefix("\(index) "))
                    }
                    try await fixture.waitUntil { _, statistics in
                        statistics.droppedMessages["unconfirmed_budget", default: 0] >= 45
                    }
                    var received = 3  // the CONNACK
                    while true {
                        guard let packet = try? await victim.receive(timeout: .milliseconds(300)) else { break }
                        var buffer = ByteBuffer()
                        try packet.encode(into: &buffer)
                        received += buffer.readableBytes
                    }
                    // 4 KB plus twice what it sent (CONNECT and SUBSCRIBE), not 60 x 300 octets.
                    #expect(received <= 4_096 + 2 * 40)
                    #expect(received > 0)
                    await victim.close()
                    await real.close()
                }
            )
        }
    }
}
