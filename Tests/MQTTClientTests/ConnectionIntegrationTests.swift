import MQTTClient
import NIOCore
import TestSupport
import Testing

/// Connecting, authenticating, wills and failures against a real mosquitto.
@Suite("mosquitto: connections", .timeLimit(.minutes(1)))
struct ConnectionIntegrationTests {
    @Test(
        "the will is published when the connection drops without DISCONNECT",
        arguments: [MQTTProtocolVersion.v3_1_1, .v5]
    )
    func willOnAbruptClose(version: MQTTProtocolVersion) async throws {
        try await withBroker { broker in
            let willTopic = uniqueTopic("will")
            let watcher = try await MosquittoSubscriber.start(
                broker: broker,
                topics: [willTopic],
                qos: 1,
                version: version.mosquitto
            )

            // The graceful client's will must be discarded; the abrupt one's published.
            var graceful = MQTTClientConfiguration.forTest(broker, version: version)
            graceful.will = MQTTWill(topic: willTopic, payload: ByteBuffer(string: "graceful"), qos: .atLeastOnce)
            let gracefulClient = TestClient(graceful)
            try await gracefulClient.client.connect()
            try await gracefulClient.client.disconnect()

            var abrupt = MQTTClientConfiguration.forTest(broker, version: version)
            abrupt.will = MQTTWill(topic: willTopic, payload: ByteBuffer(string: "abrupt"), qos: .atLeastOnce)
            let abruptClient = TestClient(abrupt)
            try await abruptClient.client.connect()
            try await abruptClient.client.closeAbruptly()

            let will = try await watcher.waitForMessage(topic: willTopic)
            #expect(will.payload == "abrupt")
            #expect(watcher.messages.map(\.payload) == ["abrupt"])
            await watcher.stop()
            // A requested close is reported without an error.
            #expect(abruptClient.events.all.last == .disconnected(nil, other: nil))
        }
    }

    @Test("password authentication", arguments: [MQTTProtocolVersion.v3_1_1, .v5])
    func passwordAuthentication(version: MQTTProtocolVersion) async throws {
        try await withBroker(.init(allowAnonymous: false, users: ["alice": "wonderland"])) { broker in
            var good = MQTTClientConfiguration.forTest(broker, version: version)
            good.username = "alice"
            good.password = Array("wonderland".utf8)
            let client = TestClient(good)
            let result = try await client.client.connect()
            #expect(result.sessionPresent == false)
            try await client.client.disconnect()

            // mosquitto 2.0 answers every failed password check with "not authorized" (3.1.1 return code 5,
            // 5.0 reason 0x87), never with "bad user name or password"; ScriptedBrokerTests covers codes 4 / 0x86.
            var bad = good
            bad.password = Array("looking-glass".utf8)
            do {
                try await TestClient(bad).client.connect()
                Issue.record("a wrong password must be refused")
            } catch let error as MQTTConnectionError {
                #expect(error == .notAuthorized)
                #expect(error.reasonCode?.rawValue == (version == .v5 ? 0x87 : 5))
            }
        }
    }

    @Test(
        "TLS with the generated CA, and a failure with an unrelated CA",
        arguments: [MQTTProtocolVersion.v3_1_1, .v5]
    )
    func tls(version: MQTTProtocolVersion) async throws {
        try await withBroker(.init(tls: .init())) { broker in
            let certificates = try #require(broker.certificates)
            for host in ["127.0.0.1", "localhost"] {
                var configuration = MQTTClientConfiguration.forTest(broker, version: version)
                configuration.host = host
                configuration.port = try #require(broker.tlsPort)
                configuration.tls = try MQTTTLSConfiguration(caFile: certificates.caFile)
                let client = TestClient(configuration)
                try await client.client.connect()
                let topic = uniqueTopic("tls")
                try await client.client.subscribe([MQTTSubscription(topicFilter: topic, qos: .atLeastOnce)])
                try await client.client.publish(MQTTMessage(topic: topic, payload: "secret", qos: .atLeastOnce))
                try await client.message(on: topic)
                try await client.client.disconnect()
            }

            var wrongCA = MQTTClientConfiguration.forTest(broker, version: version)
            wrongCA.port = try #require(broker.tlsPort)
            wrongCA.tls = try MQTTTLSConfiguration(caFile: certificates.unrelatedCAFile)
            await #expect(throws: MQTTConnectionError.tlsFailure) { try await TestClient(wrongCA).client.connect() }

            // Without a CA the system roots do not trust the throwaway CA either.
            var systemRoots = MQTTClientConfiguration.forTest(broker, version: version)
            systemRoots.port = try #require(broker.tlsPort)
            systemRoots.tls = try MQTTTLSConfiguration()
            await #expect(throws: MQTTConnectionError.tlsFailure) { try await TestClient(systemRoots).client.connect() }
        }
    }

    @Test("TLS with a required client certificate")
    func mutualTLS() async throws {
        try await withBroker(.init(tls: .init(requireClientCertificate: true))) { broker in
            let certificates = try #require(broker.certificates)
            var configuration = MQTTClientConfiguration.forTest(broker, version: .v5)
            configuration.port = try #require(broker.tlsPort)
            configuration.tls = try MQTTTLSConfiguration(
                caFile: certificates.caFile,
                certificateFile: certificates.clientCertificateFile,
                privateKeyFile: certificates.clientKeyFile
            )
            let client = TestClient(configuration)
            try await client.client.connect()
            try await client.client.disconnect()

            var withoutCertificate = configuration
            withoutCertificate.tls = try MQTTTLSConfiguration(caFile: certificates.caFile)
            do {
                try await TestClient(withoutCertificate).client.connect()
                Issue.record("the broker must refuse a client without certificate")
            } catch let error as MQTTConnectionError {
                // With TLS 1.3 the client may finish its handshake before the broker's alert arrives.
                #expect(error == .tlsFailure || error == .connectionClosed)
            }
        }
    }

    @Test("nothing listening gives connectionRefused, described in words rather than as a type dump")
    func connectionRefused() async throws {
        let port = try FreePort.tcp()
        let client = TestClient(MQTTClientConfiguration(host: "127.0.0.1", port: port, clientID: "refused"))
        let error = await #expect(throws: MQTTConnectionError.connectionRefused) { try await client.client.connect() }
        #expect(error?.description == "the TCP connection to the broker could not be established: Connection refused")
        // A name goes through NIO's Happy Eyeballs, whose error lists every address tried.
        let named = TestClient(MQTTClientConfiguration(host: "localhost", port: port, clientID: "refused"))
        let namedError = await #expect(throws: MQTTConnectionError.connectionRefused) {
            try await named.client.connect()
        }
        let description = namedError?.description ?? ""
        #expect(description.hasPrefix("the TCP connection to the broker could not be established: "), "\(description)")
        #expect(description.contains(" port \(port): Connection refused"), "\(description)")
        #expect(
            !description.contains("SingleConnectionFailure") && !description.contains("NIOConnectionError"),
            "\(description)"
        )
    }

    @Test("no CONNACK within the connect timeout gives timeout")
    func connectTimeout() async throws {
        try await withBroker { broker in
            let proxy = try await TCPFaultProxy.start(targetPort: broker.port)
            proxy.swallowServerToClient = true
            var configuration = MQTTClientConfiguration.forTest(broker, version: .v3_1_1)
            configuration.port = proxy.port
            configuration.connectTimeout = .milliseconds(300)
            await #expect(throws: MQTTConnectionError.timeout) { try await TestClient(configuration).client.connect() }
            await proxy.stop()
        }
    }

    @Test("connect twice fails with alreadyConnected")
    func connectTwice() async throws {
        try await withBroker { broker in
            let client = TestClient(.forTest(broker, version: .v5))
            try await client.client.connect()
            await #expect(throws: MQTTConnectionError.alreadyConnected) { try await client.client.connect() }
            try await client.client.disconnect()
        }
    }

    @Test("a dead broker is detected by keep alive", arguments: [MQTTProtocolVersion.v3_1_1, .v5])
    func keepAliveDetectsDeadBroker(version: MQTTProtocolVersion) async throws {
        try await withBroker { broker in
            var configuration = MQTTClientConfiguration.forTest(broker, version: version)
            configuration.keepAlive = .seconds(1)
            let client = TestClient(configuration)
            try await client.client.connect()
            // Alive: PINGREQ/PINGRESP keep it connected across several keep alive periods.
            let clientID = configuration.clientID
            try await broker.waitForLog { $0.contains("Received PINGREQ from \(clientID)") }
            try await broker.waitForLog { $0.contains("Sending PINGRESP to \(clientID)") }
            #expect(!client.events.all.contains { $0.isDisconnected })

            broker.pause()
            let event = try await client.events.wait(timeout: .seconds(5), "disconnect") { $0.isDisconnected }
            broker.resume()
            #expect(event == .disconnected(.keepAliveTimeout, other: nil))
        }
    }

    @Test("after a lost connection the client reconnects with backoff", arguments: [MQTTProtocolVersion.v3_1_1, .v5])
    func reconnect(version: MQTTProtocolVersion) async throws {
        try await withBroker { broker in
            let proxy = try await TCPFaultProxy.start(targetPort: broker.port)
            var configuration = MQTTClientConfiguration.forTest(broker, version: version)
            configuration.port = proxy.port
            configuration.reconnect = MQTTReconnectPolicy(
                initialDelay: .milliseconds(50),
                maximumDelay: .seconds(1),
                jitter: 0
            )
            let client = TestClient(configuration)
            try await client.client.connect()
            await proxy.dropAllConnections()
            try await client.events.wait(count: 2, timeout: .seconds(10), "reconnect") {
                $0 == .connected(sessionPresent: false)
            }
            let events = client.events.all
            #expect(events.count == 4)
            #expect(events[0] == .connected(sessionPresent: false))
            #expect(events[1].isDisconnected)
            #expect(events[2] == .reconnecting(attempt: 1))
            #expect(events[3] == .connected(sessionPresent: false))

            // The new connection works.
            let topic = uniqueTopic("reconnected")
            try await client.client.subscribe([MQTTSubscription(topicFilter: topic, qos: .atLeastOnce)])
            try await client.client.publish(MQTTMessage(topic: topic, payload: "back", qos: .atLeastOnce))
            try await client.message(on: topic)
            try await client.client.disconnect()
            #expect(client.events.all.last == .disconnected(nil, other: nil))
            await proxy.stop()
        }
    }
}
