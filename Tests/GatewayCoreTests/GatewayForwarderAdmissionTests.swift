import GatewayCore
import MQTTSN
import NIOCore
import NIOPosix
import TestSupport
import Testing

/// Nodes behind a UDP forwarder (Forwarder Encapsulation, `.udpForwarded` addresses) are held to the same identity
/// policy and flood limits as direct UDP clients, keyed on the forwarder's source address. Real mosquitto, real UDP
/// sockets; the forwarder is a test client bound to its own loopback address that sends encapsulations.
extension GatewayIntegrationTests {
    @Suite("Gateway admission: nodes behind a UDP forwarder", .serialized, .timeLimit(.minutes(2)))
    struct GatewayForwarderAdmissionTests {
        static func client(_ fixture: GatewayFixture, from host: String) async throws -> MQTTSNTestClient {
            try await MQTTSNTestClient.make(gateway: fixture.gatewayAddress, group: fixture.group, host: host)
        }

        /// CONNECT for `clientID` from wireless node `node` behind `forwarder`, and the return code of the CONNACK
        /// that comes back encapsulated for that node.
        static func connect(
            _ clientID: String,
            node: [UInt8],
            via forwarder: MQTTSNTestClient
        ) async throws -> MQTTSNReturnCode? {
            try await forwarder.send(
                .forwarderEncapsulation(
                    MQTTSNForwarderEncapsulation(
                        wirelessNodeID: ByteBuffer(bytes: node),
                        message: .connect(MQTTSNConnect(duration: 60, clientID: clientID))
                    )
                )
            )
            return try await forwarder.receive(timeout: .seconds(10)) { packet -> MQTTSNReturnCode?? in
                guard case .forwarderEncapsulation(let wrapped) = packet,
                    Array(wrapped.wirelessNodeID.readableBytesView) == node
                else { return nil }
                if case .connectAck(let ack) = wrapped.message { return .some(ack.returnCode) }
                return .some(nil)
            }
        }

        @Test(
            "allowlist: a node behind a forwarder gets CONNACK 0x03 for unlisted ids and for allowed_sources the forwarder is not in"
        )
        func allowlistBehindForwarder() async throws {
            try await GatewayFixture.with(
                configure: { configuration in
                    configuration.clients["sensor-1"] = .init()
                    configuration.clients["boiler-7"] = .init(allowedSources: ["127.0.0.2/32"])
                },
                { fixture in
                    let forwarder = try await Self.client(fixture, from: "127.0.0.3")
                    #expect(try await Self.connect("intruder", node: [0x2A], via: forwarder) == .rejectedNotSupported)
                    // boiler-7 may connect from 127.0.0.2 only: the forwarder's address is what is checked.
                    #expect(try await Self.connect("boiler-7", node: [0x2B], via: forwarder) == .rejectedNotSupported)
                    #expect(try await Self.connect("sensor-1", node: [0x2C], via: forwarder) == .accepted)
                    let statistics = await fixture.gateway.statistics()
                    #expect(statistics.rejectedConnections["not_allowlisted"] == 1)
                    #expect(statistics.rejectedConnections["source_not_allowed"] == 1)
                    #expect(Set(await fixture.gateway.sessions().map(\.clientID)) == ["sensor-1"])
                    #expect(!fixture.broker.log.contains { $0.contains("intruder") })
                    await forwarder.close()

                    // The same id from an allowed source is served, behind a forwarder at that source too.
                    let allowedForwarder = try await Self.client(fixture, from: "127.0.0.2")
                    #expect(try await Self.connect("boiler-7", node: [0x01], via: allowedForwarder) == .accepted)
                    await allowedForwarder.close()
                }
            )
        }

        @Test(
            "source limits: nodes behind one forwarder count against the forwarder's prefix; other sources are unaffected"
        )
        func sourceLimitsBehindForwarder() async throws {
            try await GatewayFixture.with(
                configure: { configuration in
                    configuration.security.authentication = .open
                    configuration.security.sourceLimits.maxSessions = 2
                },
                { fixture in
                    let forwarder = try await Self.client(fixture, from: "127.0.0.4")
                    #expect(try await Self.connect("node-a", node: [0x0A], via: forwarder) == .accepted)
                    #expect(try await Self.connect("node-b", node: [0x0B], via: forwarder) == .accepted)
                    // A third forged node id behind the same forwarder: the prefix already holds two sessions.
                    #expect(try await Self.connect("node-c", node: [0x0C], via: forwarder) == .rejectedCongestion)
                    // So does the forwarder's own address without an envelope: same source prefix.
                    #expect(try await forwarder.connect(clientID: "forwarder-itself") == .rejectedCongestion)
                    let statistics = await fixture.gateway.statistics()
                    #expect(statistics.rejectedConnections["source_session_limit"] == 2)

                    // Another source still connects.
                    let neighbour = try await Self.client(fixture, from: "127.0.0.5")
                    #expect(try await neighbour.connect(clientID: "neighbour") == .accepted)
                    #expect(Set(await fixture.gateway.sessions().map(\.clientID)) == ["node-a", "node-b", "neighbour"])
                    await neighbour.close()
                    await forwarder.close()
                }
            )
        }
    }
}
