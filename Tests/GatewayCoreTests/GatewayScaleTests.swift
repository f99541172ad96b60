import GatewayCore
import MQTTSN
import NIOCore
import NIOPosix
import TestSupport
import Testing

@Suite("Gateway at scale and discovery", .serialized, .timeLimit(.minutes(3)))
struct GatewayScaleTests {
    @Test("1,000 clients connect (each with its own broker session) and publish QoS 1 end to end")
    func thousandClients() async throws {
        let clientCount = 1000
        let window = 50
        try await GatewayFixture.with(configure: {
            $0.predefinedTopics = [1: "e2e/many"]
        }) { fixture in
            let subscriber = try await fixture.observe(["e2e/many", "e2e/many-done"], qos: 1)
            let clients = try await withThrowingTaskGroup(of: MQTTSNTestClient.self) { group in
                var clients: [MQTTSNTestClient] = []
                var started = 0
                func startNext() {
                    let index = started
                    started += 1
                    group.addTask {
                        let clientID = "many-\(index)"
                        let client = try await fixture.connectedClient(clientID)
                        try await client.send(
                            .publish(
                                MQTTSNPublish(
                                    qos: .atLeastOnce,
                                    topicIDType: .predefined,
                                    topicID: 1,
                                    messageID: 1,
                                    payload: ByteBuffer(string: clientID)
                                )
                            )
                        )
                        let ack = try await client.receive(timeout: .seconds(20)) { packet -> MQTTSNPublishAck? in
                            if case .publishAck(let ack) = packet { return ack }
                            return nil
                        }
                        guard ack.returnCode == .accepted else {
                            throw GatewayFixtureError.connectRefused(ack.returnCode)
                        }
                        return client
                    }
                }
                for _ in 0..<window { startNext() }
                while let client = try await group.next() {
                    clients.append(client)
                    if started < clientCount { startNext() }
                }
                return clients
            }
            #expect(clients.count == clientCount)
            let statistics = await fixture.gateway.statistics()
            #expect(statistics.clientsConnected == clientCount)
            // Every PUBACK came after the broker's; a marker published afterwards arrives after all of them.
            try await MosquittoPublisher.publish(
                broker: fixture.broker,
                topic: "e2e/many-done",
                payload: "done",
                qos: 1
            )
            try await subscriber.waitForMessage(topic: "e2e/many-done", timeout: .seconds(30))
            let payloads = Set(try await subscriber.messages.filter { $0.topic == "e2e/many" }.map(\.payload))
            #expect(payloads.count == clientCount)
            for client in clients { await client.close() }
        }
    }

    @Test("ADVERTISE is sent periodically to configured addresses")
    func advertise() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        // The listener that plays a client waiting for ADVERTISE; it never sends, so any gateway address works.
        let listener = try await MQTTSNTestClient.make(
            gateway: try SocketAddress(ipAddress: "127.0.0.1", port: 9),
            group: group
        )
        let port = listener.localAddress!.port!
        try await GatewayFixture.with(configure: {
            $0.gatewayID = 42
            $0.advertise = .init(interval: .seconds(1), addresses: ["127.0.0.1:\(port)"])
        }) { _ in
            var advertisements: [MQTTSNAdvertise] = []
            while advertisements.count < 2 {
                let packet = try await listener.receive(timeout: .seconds(3))
                if case .advertise(let advertise) = packet { advertisements.append(advertise) }
            }
            #expect(advertisements.allSatisfy { $0.gatewayID == 42 && $0.duration == 1 })
        }
        await listener.close()
        try await group.shutdownGracefully()
    }
}
