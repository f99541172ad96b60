import Foundation
import GatewayCore
import MQTTSN
import NIOCore
import NIOPosix
import TestSupport
import Testing

/// MQTT-SN over DTLS 1.2 through the gateway to a real mosquitto: pre-shared keys, certificates, and what happens
/// to everything else that arrives on a DTLS port.
extension GatewayIntegrationTests {
    @Suite("Gateway DTLS", .serialized, .timeLimit(.minutes(2)))
    struct GatewayDTLSTests {
        static let key: [UInt8] = Array("boiler-7 secret key".utf8)

        static func withDTLS(
            certificates: MosquittoCertificates? = nil,
            _ body: (GatewayFixture, SocketAddress) async throws -> Void
        ) async throws {
            let port = try FreePort.udp()
            try await GatewayFixture.with(
                configure: { configuration in
                    configuration.security.authentication = .dtls
                    var dtls = GatewayConfiguration.DTLS(
                        listeners: ["127.0.0.1:\(port)"],
                        preSharedKeys: ["boiler-7": Self.key],
                        handshakeTimeout: .seconds(1)
                    )
                    if let certificates {
                        dtls.certificates = .init(
                            certificateFile: certificates.serverCertificateFile,
                            keyFile: certificates.serverKeyFile,
                            caFile: certificates.caFile,
                            clientCertificates: .required
                        )
                    }
                    configuration.dtls = dtls
                },
                { fixture in
                    try await body(fixture, try SocketAddress(ipAddress: "127.0.0.1", port: port))
                }
            )
        }

        @Test(
            "a plain datagram from a DTLS client's source address is not from that client: DISCONNECT, nothing published"
        )
        func plainDatagramFromDTLSAddress() async throws {
            try await Self.withDTLS { fixture, dtls in
                let observer = try await fixture.observe(["plant/#"])
                let client = try await MQTTSNTestClient.make(
                    gateway: dtls,
                    group: fixture.group,
                    dtls: .preSharedKey(identity: "boiler-7", key: Self.key)
                )
                #expect(try await client.connect(clientID: "boiler-7") == .accepted)
                let topic = try await client.register("plant/boiler/7/setpoint", messageID: 1)
                guard let port = client.localAddress?.port else {
                    Issue.record("the DTLS client has no local port")
                    return
                }
                await client.close()
                // A forger using the device's source address and port, on the plain UDP listener.
                let forger = try await MQTTSNTestClient.make(
                    gateway: fixture.gatewayAddress,
                    group: fixture.group,
                    port: port
                )
                try await forger.send(
                    .publish(
                        MQTTSNPublish(qos: .atMostOnce, topicID: topic.topicID, payload: ByteBuffer(string: "999C"))
                    )
                )
                _ = try await forger.receive { packet -> Bool? in
                    if case .disconnect = packet { return true }
                    return nil
                }
                #expect(try await forger.connect(clientID: "boiler-7", cleanSession: false) == .rejectedNotSupported)
                #expect(
                    await fixture.gateway.sessions().contains { $0.clientID == "boiler-7" && $0.state == .connected }
                )
                // The DISCONNECT shows the PUBLISH was taken for a stranger's (a session's QoS 0 gets no answer).
                #expect(try await observer.messages.allSatisfy { $0.payload != "999C" })
                await forger.close()
            }
        }

        @Test("PSK: CONNECT, REGISTER, PUBLISH QoS 1 reach the broker; the association may only be its own client id")
        func preSharedKey() async throws {
            try await Self.withDTLS { fixture, dtls in
                let observer = try await fixture.observe(["plant/#"])
                let client = try await MQTTSNTestClient.make(
                    gateway: dtls,
                    group: fixture.group,
                    dtls: .preSharedKey(identity: "boiler-7", key: Self.key)
                )
                #expect(try await client.connect(clientID: "boiler-8") == .rejectedNotSupported)
                #expect(try await client.connect(clientID: "boiler-7") == .accepted)
                let topic = try await client.register("plant/boiler/7/setpoint", messageID: 1)
                #expect(try await client.publish("65C", topicID: topic.topicID, messageID: 2) == .accepted)
                try await observer.waitForMessage { $0.topic == "plant/boiler/7/setpoint" && $0.payload == "65C" }
                // And back: a command for the device arrives encrypted and is decrypted by its association.
                #expect(
                    try await client.subscribe(.name("plant/boiler/7/cmd"), qos: .atLeastOnce, messageID: 3).returnCode
                        == .accepted
                )
                try await fixture.publish(topic: "plant/boiler/7/cmd", payload: "off", qos: 1)
                #expect(String(buffer: try await client.receivePublish().payload) == "off")
                let statistics = await fixture.gateway.statistics()
                #expect(statistics.rejectedConnections["identity_mismatch"] == 1)
                await client.close()
            }
        }

        @Test("plain MQTT-SN on the DTLS port is dropped and counted; plain UDP is refused under authentication: dtls")
        func unauthenticated() async throws {
            try await Self.withDTLS { fixture, dtls in
                let plain = try await MQTTSNTestClient.make(gateway: dtls, group: fixture.group)
                try await plain.send(.connect(MQTTSNConnect(duration: 60, clientID: "boiler-7")))
                #expect(try await plain.receiveNothing(within: .milliseconds(500)))
                try await fixture.waitUntil { _, statistics in
                    statistics.droppedMessages["dtls_unauthenticated"] == 1
                }
                let udp = try await fixture.client()
                #expect(try await udp.connect(clientID: "boiler-7") == .rejectedNotSupported)
                let statistics = await fixture.gateway.statistics()
                #expect(statistics.rejectedConnections["not_authenticated"] == 1)
                await plain.close()
                await udp.close()
            }
        }

        @Test("a wrong PSK never completes the handshake and is counted; the right one still works")
        func wrongKey() async throws {
            try await Self.withDTLS { fixture, dtls in
                await #expect(throws: (any Error).self) {
                    _ = try await MQTTSNTestClient.make(
                        gateway: dtls,
                        group: fixture.group,
                        dtls: .preSharedKey(identity: "boiler-7", key: Array("guessed".utf8))
                    )
                }
                try await fixture.waitUntil { _, statistics in
                    statistics.droppedMessages["dtls_handshake_failed", default: 0] >= 1
                }
                #expect(await fixture.gateway.sessions().isEmpty)
                let client = try await MQTTSNTestClient.make(
                    gateway: dtls,
                    group: fixture.group,
                    dtls: .preSharedKey(identity: "boiler-7", key: Self.key)
                )
                #expect(try await client.connect(clientID: "boiler-7") == .accepted)
                await client.close()
            }
        }

        @Test("certificates: the CN is the client id; another id through the same association is refused")
        func certificates() async throws {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("snbridge-dtls-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let certificates = try await MosquittoCertificates.generate(in: directory)
            try await Self.withDTLS(certificates: certificates) { fixture, dtls in
                let observer = try await fixture.observe(["cert/#"])
                let client = try await MQTTSNTestClient.make(
                    gateway: dtls,
                    group: fixture.group,
                    dtls: .certificate(
                        certificateFile: certificates.clientCertificateFile,
                        keyFile: certificates.clientKeyFile,
                        caFile: certificates.caFile
                    )
                )
                #expect(try await client.connect(clientID: "boiler-7") == .rejectedNotSupported)
                #expect(try await client.connect(clientID: "snbridge-test-client") == .accepted)
                let topic = try await client.register("cert/ok", messageID: 1)
                #expect(try await client.publish("signed", topicID: topic.topicID, messageID: 2) == .accepted)
                try await observer.waitForMessage { $0.topic == "cert/ok" && $0.payload == "signed" }
                await client.close()
            }
        }
    }
}
