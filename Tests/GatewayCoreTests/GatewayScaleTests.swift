import Foundation
import GatewayCore
import Logging
import MQTTSN
import NIOCore
import NIOPosix
import TestSupport
import Testing

extension GatewayIntegrationTests {
    @Suite("Gateway at scale and discovery", .serialized, .timeLimit(.minutes(3)))
    struct GatewayScaleTests {
        @Test("1,000 clients connect (each with its own broker session) and publish QoS 1 end to end")
        func thousandClients() async throws {
            let clientCount = 1000
            let window = 50
            try await GatewayFixture.with(
                configure: {
                    $0.predefinedTopics = [1: "e2e/many"]
                    // All 1,000 come from 127.0.0.1 at once: past the per-source new-session burst.
                    $0.security.sourceLimits.burst = clientCount
                },
                { fixture in
                    let subscriber = try await fixture.observe(["e2e/many", "e2e/many-done"], qos: 1)
                    // The test's own sockets first, so that the memory measured afterwards is the gateway's.
                    var sockets: [MQTTSNTestClient] = []
                    for _ in 0..<clientCount {
                        sockets.append(try await fixture.client())
                    }
                    let residentBefore = try Self.residentBytes()
                    let idleSockets = sockets
                    let clients = try await withThrowingTaskGroup(of: MQTTSNTestClient.self) { group in
                        var clients: [MQTTSNTestClient] = []
                        var started = 0
                        func startNext() {
                            let index = started
                            started += 1
                            let client = idleSockets[index]
                            group.addTask {
                                let clientID = "many-\(index)"
                                #expect(try await client.connect(clientID: clientID) == .accepted)
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
                                let ack = try await client.receive(timeout: .seconds(20)) {
                                    packet -> MQTTSNPublishAck? in
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
                    // Gateway session, topic registry and upstream MQTT connection (channel, pipeline, buffers) per client.
                    let perSession = (try Self.residentBytes() - residentBefore) / clientCount
                    print("GatewayScaleTests: resident memory per session \(perSession) bytes")

                    // Informational only: other suites run in parallel in this process, so the resident set is no exact
                    // measure. Run alone it is about 16 KB, most of it the MQTT client's TCP channel.
                    let statistics = await fixture.gateway.statistics()
                    #expect(statistics.clientsConnected == clientCount)
                    // Every PUBACK came after the broker's; a marker published afterwards arrives after all of them.
                    try await fixture.publish(
                        topic: "e2e/many-done",
                        payload: "done",
                        qos: 1
                    )
                    try await subscriber.waitForMessage(topic: "e2e/many-done", timeout: .seconds(30))
                    let payloads = Set(try await subscriber.messages.filter { $0.topic == "e2e/many" }.map(\.payload))
                    #expect(payloads.count == clientCount)
                    for client in clients { await client.close() }
                }
            )
        }

        @Test("10,000 sessions on one event loop, no thread or task per client")
        func tenThousandSessions() async throws {
            let sessionCount = 10_000
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let factory = FakeUpstreamFactory(eventLoop: group.next(), acceptsConnect: true)
            var configuration = GatewayConfiguration()
            configuration.udpListeners = ["127.0.0.1:0"]
            configuration.maxClients = sessionCount
            var logger = Logger(label: "snbridge.gateway.test")
            logger.logLevel = .warning
            let gateway = Gateway(
                configuration: configuration,
                eventLoopGroup: group,
                upstreamFactory: factory,
                logger: logger
            )
            try await gateway.start()
            let transport = CountingTransport(eventLoop: gateway.eventLoop)
            gateway.register(transport: transport)
            let residentBefore = try Self.residentBytes()
            for index in 0..<sessionCount {
                var connect = ByteBuffer()
                try MQTTSNPacket.connect(MQTTSNConnect(duration: 60, clientID: "sensor-\(index)")).encode(
                    into: &connect
                )
                gateway.receive(connect, from: .serial(device: "/dev/tty\(index)", wirelessNodeID: nil), via: transport)
            }
            // Every CONNACK was sent (the fake broker accepts at once), so every session is established.
            let deadline = NIODeadline.now() + .seconds(60)
            while try await transport.sentCount() < sessionCount, NIODeadline.now() < deadline {
                try await gateway.eventLoop.scheduleTask(in: .milliseconds(20)) {}.futureResult.get()
            }
            #expect(try await transport.sentCount() == sessionCount)
            #expect(await gateway.statistics().clientsConnected == sessionCount)
            let perSession = (try Self.residentBytes() - residentBefore) / sessionCount
            // Informational only (other suites allocate in parallel); run alone it is about 1.7 KB.
            print("GatewayScaleTests: gateway core memory per session \(perSession) bytes")
            await gateway.shutdown()
            try await group.shutdownGracefully()
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
            try await GatewayFixture.with(
                configure: {
                    $0.gatewayID = 42
                    $0.advertise = .init(interval: .seconds(1), addresses: ["127.0.0.1:\(port)"])
                },
                { _ in
                    var advertisements: [MQTTSNAdvertise] = []
                    while advertisements.count < 2 {
                        let packet = try await listener.receive(timeout: .seconds(3))
                        if case .advertise(let advertise) = packet { advertisements.append(advertise) }
                    }
                    #expect(advertisements.allSatisfy { $0.gatewayID == 42 && $0.duration == 1 })
                }
            )
            await listener.close()
            try await group.shutdownGracefully()
        }

        /// Resident set size of this process (gateway, upstream connections and test clients together).
        static func residentBytes() throws -> Int {
            let statm = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8)
            let fields = statm.split(separator: " ")
            return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
        }
    }
}
