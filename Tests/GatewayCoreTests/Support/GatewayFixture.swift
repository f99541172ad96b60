import GatewayCore
import Logging
import MQTTClient
import MQTTSN
import NIOCore
import NIOPosix
import TestSupport

/// A real mosquitto on a free loopback port, a gateway on an ephemeral UDP port in front of it, and a way to make
/// MQTT-SN clients. Everything it starts it stops, by pid or by closing its own sockets.
struct GatewayFixture {
    let broker: MosquittoBroker
    let group: MultiThreadedEventLoopGroup
    let gateway: Gateway
    let gatewayAddress: SocketAddress
    let observers = BrokerObservers()

    /// Runs `body` with a started fixture and always tears it down.
    static func with<Result>(
        broker brokerOptions: MosquittoBroker.Options = MosquittoBroker.Options(),
        configure: (inout GatewayConfiguration) -> Void = { _ in },
        _ body: (GatewayFixture) async throws -> Result
    ) async throws -> Result {
        let broker = try await MosquittoBroker.start(brokerOptions)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        var configuration = GatewayConfiguration()
        configuration.upstream.host = broker.host
        configuration.upstream.port = broker.port
        configuration.udpListeners = ["127.0.0.1:0"]
        configuration.retryInterval = .seconds(1)
        configuration.shutdownGracePeriod = .seconds(1)
        configure(&configuration)
        var logger = Logger(label: "snbridge.gateway.test")
        logger.logLevel = .warning
        let gateway = Gateway(configuration: configuration, eventLoopGroup: group, logger: logger)
        let fixture: GatewayFixture
        do {
            let addresses = try await gateway.start()
            fixture = GatewayFixture(broker: broker, group: group, gateway: gateway, gatewayAddress: addresses[0])
        } catch {
            await broker.stop()
            try? await group.shutdownGracefully()
            throw error
        }
        do {
            let result = try await body(fixture)
            await fixture.stop()
            return result
        } catch {
            await fixture.stop()
            throw error
        }
    }

    func client() async throws -> MQTTSNTestClient {
        try await MQTTSNTestClient.make(gateway: self.gatewayAddress, group: self.group)
    }

    /// A client that completed CONNECT.
    func connectedClient(_ clientID: String, keepAlive: UInt16 = 60) async throws -> MQTTSNTestClient {
        let client = try await self.client()
        let code = try await client.connect(clientID: clientID, keepAlive: keepAlive)
        guard code == .accepted else {
            throw GatewayFixtureError.connectRefused(code)
        }
        return client
    }

    /// Waits until the gateway's state satisfies `condition` (checked on each change of the loop), or fails.
    func waitUntil(
        timeout: TimeAmount = .seconds(10),
        _ condition: @escaping @Sendable ([GatewaySessionSnapshot], GatewayStatistics) -> Bool
    ) async throws {
        let deadline = NIODeadline.now() + timeout
        let loop = self.group.next()
        while true {
            let sessions = await self.gateway.sessions()
            let statistics = await self.gateway.statistics()
            if condition(sessions, statistics) {
                return
            }
            guard NIODeadline.now() < deadline else {
                throw GatewayFixtureError.conditionNotMet(sessions: sessions, statistics: statistics)
            }
            try await loop.scheduleTask(in: .milliseconds(20)) {}.futureResult.get()
        }
    }

    /// A ``BrokerObserver`` subscribed to `topics`, stopped with the fixture.
    func observe(_ topics: [String], qos: Int = 1) async throws -> BrokerObserver {
        let observer = try await BrokerObserver.start(broker: self.broker, topics: topics, qos: qos, group: self.group)
        await self.observers.add(observer)
        return observer
    }

    /// Publishes through the broker as an ordinary MQTT client would (our own client, like `mosquitto_pub`:
    /// returns once the broker acknowledged QoS 1 and 2). No child process, so nothing races with the many file
    /// descriptors the scale tests open.
    func publish(topic: String, payload: String, qos: Int = 0, retain: Bool = false) async throws {
        var logger = Logger(label: "snbridge.test.publisher")
        logger.logLevel = .warning
        let client = MQTTClient(
            configuration: MQTTClientConfiguration(
                host: self.broker.host,
                port: self.broker.port,
                clientID: "publisher-\(UInt32.random(in: 0...UInt32.max))"
            ),
            eventLoop: self.group.next(),
            logger: logger,
            messageHandler: { _ in }
        )
        try await client.connect()
        do {
            try await client.publish(
                MQTTMessage(
                    topic: topic,
                    payload: ByteBuffer(string: payload),
                    qos: MQTTQoS(rawValue: UInt8(qos)) ?? .atMostOnce,
                    retain: retain
                )
            )
        } catch {
            try? await client.disconnect()
            throw error
        }
        try await client.disconnect()
    }

    func stop() async {
        await self.observers.stopAll()
        await self.gateway.shutdown()
        await self.broker.stop()
        try? await self.group.shutdownGracefully()
    }
}
