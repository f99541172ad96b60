import Foundation
import MQTTSN
import NIOCore
import NIOPosix
import TestSupport
import Testing

/// The attacks of issue 11 against the real `snbridge run` binary and a real mosquitto that trusts boiler-7's
/// credentials only: each fails for the attacker and the legitimate device keeps working.
extension GatewayIntegrationTests {
    @Suite("Security end to end (real binary)", .serialized, .timeLimit(.minutes(2)))
    struct SecurityEndToEndTests {
        static let brokerACL = [
            "topic read plant/#",
            "topic readwrite snbridge/#",
            "topic readwrite plant/valve/#",
            "user boiler7",
            "topic readwrite plant/boiler/7/#",
        ]

        static func withBridge(
            _ body: (MosquittoBroker, SNBridgeProcess, SocketAddress, MultiThreadedEventLoopGroup) async throws -> Void
        ) async throws {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("snbridge-security-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let broker = try await MosquittoBroker.start(
                .init(allowAnonymous: true, users: ["boiler7": "pw7"], accessControl: Self.brokerACL)
            )
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let port = try FreePort.udp()
            do {
                let bridge = try await SNBridgeProcess.start(
                    yaml: """
                        broker: { url: "mqtt://127.0.0.1:\(broker.port)" }
                        udp: { listeners: ["127.0.0.1:\(port)"] }
                        discovery: { enabled: false }
                        http: { listen: none }   # tests run side by side; the monitoring port is not theirs
                        gateway:
                          clients:
                            boiler-7: { username: boiler7, password: pw7, allowed_sources: ["127.0.0.2"] }
                            valve-3: {}
                        """,
                    in: directory
                )
                do {
                    try await body(broker, bridge, try SocketAddress(ipAddress: "127.0.0.1", port: port), group)
                } catch {
                    await bridge.process.terminate()
                    throw error
                }
                await bridge.process.terminate()
            } catch {
                await broker.stop()
                try? await group.shutdownGracefully()
                throw error
            }
            await broker.stop()
            try await group.shutdownGracefully()
        }

        @Test("a forged boiler-7 is refused before its credentials reach the broker; the real one publishes")
        func forgedCredentials() async throws {
            try await Self.withBridge { broker, bridge, gateway, group in
                let subscriber = try await MosquittoSubscriber.start(broker: broker, topics: ["plant/#"], qos: 1)
                let forger = try await MQTTSNTestClient.make(gateway: gateway, group: group, host: "127.0.0.1")
                #expect(try await forger.connect(clientID: "boiler-7") == .rejectedNotSupported)
                try await bridge.waitForLog("Client refused", "client.id=boiler-7", "refusal.reason=source_not_allowed")
                #expect(try await forger.connect(clientID: "boiler-8") == .rejectedNotSupported)
                try await bridge.waitForLog("Client refused", "client.id=boiler-8", "refusal.reason=not_allowlisted")

                let boiler = try await MQTTSNTestClient.make(gateway: gateway, group: group, host: "127.0.0.2")
                #expect(try await boiler.connect(clientID: "boiler-7") == .accepted)
                let topic = try await boiler.register("plant/boiler/7/setpoint", messageID: 1)
                #expect(try await boiler.publish("65C", topicID: topic.topicID, messageID: 2) == .accepted)
                let message = try await subscriber.waitForMessage(topic: "plant/boiler/7/setpoint")
                #expect(message.payload == "65C")
                // The forger's attempts never opened a broker connection with boiler-7's credentials.
                #expect(broker.log.filter { $0.contains("u'boiler7'") }.count == 1)
                await subscriber.stop()
                await forger.close()
                await boiler.close()
            }
        }

        @Test("hijack attempts on a live valve-3 fail; the victim keeps its commands and its publishes")
        func hijack() async throws {
            try await Self.withBridge { broker, bridge, gateway, group in
                let subscriber = try await MosquittoSubscriber.start(broker: broker, topics: ["plant/#"], qos: 1)
                let victim = try await MQTTSNTestClient.make(gateway: gateway, group: group, host: "127.0.0.4")
                #expect(try await victim.connect(clientID: "valve-3") == .accepted)
                #expect(
                    try await victim.subscribe(.name("plant/valve/3/cmd"), qos: .atLeastOnce, messageID: 1).returnCode
                        == .accepted
                )
                let state = try await victim.register("plant/valve/3/state", messageID: 2)

                let attacker = try await MQTTSNTestClient.make(gateway: gateway, group: group, host: "127.0.0.5")
                #expect(try await attacker.connect(clientID: "valve-3", cleanSession: false) == .rejectedNotSupported)
                try await bridge.waitForLog("Client refused", "client.id=valve-3", "refusal.reason=session_in_use")
                try await attacker.send(.pingRequest(MQTTSNPingRequest(clientID: "valve-3")))
                try await bridge.waitForLog("Wake-up from another address refused", "client.id=valve-3")

                try await MosquittoPublisher.publish(
                    broker: broker,
                    topic: "plant/valve/3/cmd",
                    payload: "open",
                    qos: 1
                )
                #expect(String(buffer: try await victim.receivePublish().payload) == "open")
                #expect(try await victim.publish("open", topicID: state.topicID, messageID: 3) == .accepted)
                #expect(try await subscriber.waitForMessage(topic: "plant/valve/3/state").payload == "open")
                var leaked = false
                while let packet = try? await attacker.receive(timeout: .milliseconds(300)) {
                    if case .publish = packet { leaked = true }
                }
                #expect(!leaked, "the attacker received the victim's command")
                await subscriber.stop()
                await victim.close()
                await attacker.close()
            }
        }
    }
}
