import Foundation
import MQTTSN
import NIOCore
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `snbridge run` binary with a DTLS listener, and `openssl s_client -dtls1_2` (another DTLS
/// implementation's client side) carrying MQTT-SN CONNECT and PUBLISH QoS 1 to a real mosquitto.
extension GatewayIntegrationTests {
    @Suite("DTLS interoperability with openssl s_client (real binary)", .serialized, .timeLimit(.minutes(2)))
    struct DTLSInteropTests {
        /// An `openssl s_client` whose standard input is a FIFO the test writes MQTT-SN datagrams into; each write
        /// becomes one DTLS record.
        struct OpenSSLClient {
            let process: ChildProcess
            let input: Int32

            static func start(arguments: [String], in directory: URL) throws -> OpenSSLClient {
                let fifo = directory.appendingPathComponent("s_client.in").path
                guard mkfifo(fifo, 0o600) == 0 else { throw POSIXError(.EEXIST) }
                // O_RDWR: on Linux this opens a FIFO without waiting for the reader.
                let input = open(fifo, O_RDWR)
                let command =
                    (["exec", "/usr/bin/openssl", "s_client", "-dtls1_2", "-quiet"] + arguments)
                    .joined(separator: " ") + " < \(fifo)"
                let process = try ChildProcess(executable: "/bin/sh", arguments: ["-c", command])
                return OpenSSLClient(process: process, input: input)
            }

            func send(_ packet: MQTTSNPacket) throws {
                var buffer = ByteBuffer()
                try packet.encode(into: &buffer)
                let bytes = Array(buffer.readableBytesView)
                _ = bytes.withUnsafeBytes { write(self.input, $0.baseAddress, $0.count) }
            }

            func stop() async {
                close(self.input)
                await self.process.terminate()
            }
        }

        static func temporaryDirectory() throws -> URL {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("snbridge-dtls-interop-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return directory
        }

        /// Starts the bridge with a DTLS listener (`psk_file` plus `extraDTLS` keys), connects `openssl s_client`
        /// with `clientArguments`, and sends CONNECT as `clientID` and a PUBLISH QoS 1 to a predefined topic.
        static func run(in directory: URL, extraDTLS: String, clientArguments: [String], clientID: String) async throws
        {
            let broker = try await MosquittoBroker.start()
            let subscriber = try await MosquittoSubscriber.start(broker: broker, topics: ["plant/#"], qos: 1)
            let dtlsPort = try FreePort.udp()
            let pskFile = directory.appendingPathComponent("psk").path
            try "# identity:hexkey\nboiler-7:00112233445566778899aabbccddeeff\n".write(
                toFile: pskFile,
                atomically: true,
                encoding: .utf8
            )
            chmod(pskFile, 0o600)
            var bridge: SNBridgeProcess?
            var client: OpenSSLClient?
            do {
                let started = try await SNBridgeProcess.start(
                    yaml: """
                        broker: { url: "mqtt://127.0.0.1:\(broker.port)" }
                        discovery: { enabled: false }
                        http: { listen: none }   # tests run side by side; the monitoring port is not theirs
                        gateway:
                          authentication: dtls
                          predefined_topics: { 5: plant/boiler/7/setpoint }
                        udp:
                          listeners: ["127.0.0.1:\(try FreePort.udp())"]
                          dtls:
                            listeners: ["127.0.0.1:\(dtlsPort)"]
                            psk_file: \(pskFile)
                        \(extraDTLS)
                        """,
                    in: directory
                )
                bridge = started
                let openssl = try OpenSSLClient.start(
                    arguments: ["-connect", "127.0.0.1:\(dtlsPort)"] + clientArguments,
                    in: directory
                )
                client = openssl
                try await started.waitForLog("DTLS association established")
                try openssl.send(.connect(MQTTSNConnect(duration: 60, clientID: clientID)))
                try await started.waitForLog("Client connected", "client.id=\(clientID)")
                try openssl.send(
                    .publish(
                        MQTTSNPublish(
                            qos: .atLeastOnce,
                            topicIDType: .predefined,
                            topicID: 5,
                            messageID: 9,
                            payload: ByteBuffer(string: "via s_client")
                        )
                    )
                )
                let message = try await subscriber.waitForMessage(topic: "plant/boiler/7/setpoint")
                #expect(message.payload == "via s_client")
                #expect(message.qos == 1)
            } catch {
                await client?.stop()
                await bridge?.process.terminate()
                await subscriber.stop()
                await broker.stop()
                throw error
            }
            await client?.stop()
            await bridge?.process.terminate()
            await subscriber.stop()
            await broker.stop()
        }

        @Test("PSK: openssl s_client -psk_identity boiler-7 carries CONNECT and PUBLISH QoS 1 to the broker")
        func preSharedKey() async throws {
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            try await Self.run(
                in: directory,
                extraDTLS: "",
                clientArguments: ["-psk_identity", "boiler-7", "-psk", "00112233445566778899aabbccddeeff"],
                clientID: "boiler-7"
            )
        }

        @Test("certificates: openssl s_client -cert (CN snbridge-test-client) carries CONNECT and PUBLISH QoS 1")
        func certificate() async throws {
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let certificates = try await MosquittoCertificates.generate(in: directory)
            try await Self.run(
                in: directory,
                extraDTLS: """
                        cert_file: \(certificates.serverCertificateFile)
                        key_file: \(certificates.serverKeyFile)
                        ca_file: \(certificates.caFile)
                        client_certificates: required
                    """,
                clientArguments: [
                    "-cert", certificates.clientCertificateFile, "-key", certificates.clientKeyFile,
                    "-CAfile", certificates.caFile,
                ],
                clientID: "snbridge-test-client"
            )
        }
    }
}
