import GatewayCore
import MQTTSN
import NIOCore
import NIOPosix
import TestSupport
import Testing

/// Who may connect as which client id, against a real mosquitto over real UDP sockets. Clients play different
/// sources by binding different loopback addresses (127.0.0.2, 127.0.0.3, ...).
extension GatewayIntegrationTests {
    @Suite("Gateway admission: identity policy and takeover", .serialized, .timeLimit(.minutes(2)))
    struct GatewayAdmissionTests {
        static func client(_ fixture: GatewayFixture, from host: String) async throws -> MQTTSNTestClient {
            try await MQTTSNTestClient.make(gateway: fixture.gatewayAddress, group: fixture.group, host: host)
        }

        @Test("allowlist: unlisted ids and listed ids from a source not allowed get CONNACK 0x03 and no broker session")
        func allowlist() async throws {
            try await GatewayFixture.with(
                configure: { configuration in
                    configuration.clients["sensor-1"] = .init()
                    configuration.clients["boiler-7"] = .init(allowedSources: ["127.0.0.2/32"])
                },
                { fixture in
                    let stranger = try await Self.client(fixture, from: "127.0.0.1")
                    #expect(try await stranger.connect(clientID: "intruder") == .rejectedNotSupported)
                    #expect(try await stranger.connect(clientID: "boiler-7") == .rejectedNotSupported)
                    #expect(try await stranger.connect(clientID: "sensor-1") == .accepted)
                    let boiler = try await Self.client(fixture, from: "127.0.0.2")
                    #expect(try await boiler.connect(clientID: "boiler-7") == .accepted)
                    let statistics = await fixture.gateway.statistics()
                    #expect(statistics.rejectedConnections["not_allowlisted"] == 1)
                    #expect(statistics.rejectedConnections["source_not_allowed"] == 1)
                    let sessions = await fixture.gateway.sessions()
                    #expect(Set(sessions.map(\.clientID)) == ["sensor-1", "boiler-7"])
                    // The refused CONNECTs opened nothing upstream: mosquitto saw only the two admitted clients.
                    #expect(!fixture.broker.log.contains { $0.contains("intruder") })
                    await stranger.close()
                    await boiler.close()
                }
            )
        }

        @Test("no takeover: CONNECT and PINGREQ for a live client id from elsewhere fail; the victim keeps working")
        func noTakeover() async throws {
            try await GatewayFixture.with { fixture in
                let observer = try await fixture.observe(["plant/#"])
                let victim = try await Self.client(fixture, from: "127.0.0.2")
                #expect(try await victim.connect(clientID: "valve-3", keepAlive: 60) == .accepted)
                #expect(
                    try await victim.subscribe(.name("plant/valve/3/cmd"), qos: .atLeastOnce, messageID: 1).returnCode
                        == .accepted
                )
                let topicID = try await victim.register("plant/valve/3/state", messageID: 2).topicID

                let attacker = try await Self.client(fixture, from: "127.0.0.3")
                // A persistent-session CONNECT used to resume the victim's session at the attacker's address.
                #expect(try await attacker.connect(clientID: "valve-3", cleanSession: false) == .rejectedNotSupported)
                #expect(try await attacker.connect(clientID: "valve-3", cleanSession: true) == .rejectedNotSupported)
                // PINGREQ(client id) used to move the downlink: now the attacker has no session and is told so.
                try await attacker.send(.pingRequest(MQTTSNPingRequest(clientID: "valve-3")))
                _ = try await attacker.receive { packet -> Bool? in
                    if case .disconnect = packet { return true }
                    return nil
                }

                // The victim still gets its commands and its publishes still arrive.
                try await fixture.publish(topic: "plant/valve/3/cmd", payload: "close", qos: 1)
                let command = try await victim.receivePublish()
                #expect(String(buffer: command.payload) == "close")
                #expect(try await victim.publish("closed", topicID: topicID, messageID: 3) == .accepted)
                try await observer.waitForMessage { $0.topic == "plant/valve/3/state" && $0.payload == "closed" }
                #expect(try await attacker.receiveNothing(within: .milliseconds(300)), "the attacker got no command")
                let statistics = await fixture.gateway.statistics()
                #expect(statistics.rejectedConnections["session_in_use"] == 3)
                await victim.close()
                await attacker.close()
            }
        }

        @Test("takeover any: the old behaviour, for those who ask for it")
        func takeoverAny() async throws {
            try await GatewayFixture.with(
                configure: { $0.security.sessionTakeover = .any },
                { fixture in
                    let first = try await Self.client(fixture, from: "127.0.0.2")
                    #expect(try await first.connect(clientID: "mover") == .accepted)
                    let second = try await Self.client(fixture, from: "127.0.0.3")
                    #expect(try await second.connect(clientID: "mover") == .accepted)
                    await first.close()
                    await second.close()
                }
            )
        }

        @Test("NAT rebinding: a sleeping client wakes from a new address, a silent one reconnects from a new address")
        func natRebinding() async throws {
            try await GatewayFixture.with(
                configure: { $0.keepAliveGraceFactor = 20 },
                { fixture in
                    let sleeper = try await Self.client(fixture, from: "127.0.0.2")
                    #expect(try await sleeper.connect(clientID: "sleeper") == .accepted)
                    #expect(
                        try await sleeper.subscribe(.name("nat/sleep"), qos: .atLeastOnce, messageID: 1).returnCode
                            == .accepted
                    )
                    try await sleeper.send(.disconnect(MQTTSNDisconnect(duration: 60)))
                    _ = try await sleeper.receive { packet -> Bool? in
                        if case .disconnect = packet { return true }
                        return nil
                    }
                    try await fixture.publish(topic: "nat/sleep", payload: "while asleep", qos: 1)
                    try await fixture.waitUntil { sessions, _ in
                        sessions.contains { $0.clientID == "sleeper" && $0.state == .asleep && $0.pendingMessages == 1 }
                    }
                    await sleeper.close()
                    // The same board behind a new NAT mapping.
                    let woken = try await Self.client(fixture, from: "127.0.0.2")
                    try await woken.send(.pingRequest(MQTTSNPingRequest(clientID: "sleeper")))
                    #expect(String(buffer: try await woken.receivePublish().payload) == "while asleep")

                    // A client whose old address went silent for longer than its keepalive (1 s; it would be lost only
                    // after 20 s here) may continue from a new one; while it is live it may not.
                    let silent = try await Self.client(fixture, from: "127.0.0.4")
                    #expect(try await silent.connect(clientID: "silent", keepAlive: 1) == .accepted)
                    #expect(
                        try await silent.subscribe(.name("nat/silent"), qos: .atLeastOnce, messageID: 1).returnCode
                            == .accepted
                    )
                    await silent.close()
                    let rebound = try await Self.client(fixture, from: "127.0.0.4")
                    var code = try await rebound.connect(clientID: "silent", keepAlive: 1, cleanSession: false)
                    #expect(code == .rejectedNotSupported, "within its keepalive the session is live")
                    let deadline = NIODeadline.now() + .seconds(10)
                    while code != .accepted, NIODeadline.now() < deadline {
                        try await fixture.group.next().scheduleTask(in: .milliseconds(100)) {}.futureResult.get()
                        code = try await rebound.connect(clientID: "silent", keepAlive: 1, cleanSession: false)
                    }
                    #expect(code == .accepted)
                    // Resumed, not replaced: the subscription survived the move.
                    try await fixture.publish(topic: "nat/silent", payload: "found you", qos: 1)
                    #expect(String(buffer: try await rebound.receivePublish().payload) == "found you")
                    await woken.close()
                    await rebound.close()
                }
            )
        }

        @Test("keepalive 0 and huge keepalives are capped; a session that only CONNECTed is dropped when idle")
        func idleAndKeepAliveCap() async throws {
            try await GatewayFixture.with(
                configure: { configuration in
                    configuration.security.maxKeepAlive = 2
                    configuration.security.idleSessionTimeout = .seconds(1)
                },
                { fixture in
                    let forever = try await Self.client(fixture, from: "127.0.0.2")
                    #expect(try await forever.connect(clientID: "forever", keepAlive: 0) == .accepted)
                    #expect(
                        try await forever.subscribe(.name("cap/x"), qos: .atMostOnce, messageID: 1).returnCode
                            == .accepted
                    )
                    let idle = try await Self.client(fixture, from: "127.0.0.3")
                    #expect(try await idle.connect(clientID: "idle", keepAlive: 3600) == .accepted)
                    // The idle one goes after 1 s, long before any keepalive (2 s x 1.5) could expire.
                    try await fixture.waitUntil { sessions, _ in
                        sessions.contains { $0.clientID == "idle" && $0.state == .lost }
                            && sessions.contains { $0.clientID == "forever" && $0.state == .connected }
                    }
                    // Keepalive 0 asked for no supervision; it got 2 s, and silence ends it.
                    try await fixture.waitUntil { sessions, _ in
                        sessions.contains { $0.clientID == "forever" && $0.state == .lost }
                    }
                    await forever.close()
                    await idle.close()
                }
            )
        }

        @Test("a client that only sends PINGREQ after its CONNECT is heard: the idle timeout leaves it alone")
        func pingRequestIsHeard() async throws {
            try await GatewayFixture.with(
                configure: { $0.security.idleSessionTimeout = .seconds(1) },
                { fixture in
                    let pinger = try await Self.client(fixture, from: "127.0.0.2")
                    #expect(try await pinger.connect(clientID: "pinger", keepAlive: 60) == .accepted)
                    try await pinger.send(.pingRequest(MQTTSNPingRequest()))
                    _ = try await pinger.receive { packet -> Bool? in
                        if case .pingResponse = packet { return true }
                        return nil
                    }
                    // Admitted after the pinger was heard: by the time this one is dropped as idle, the pinger would
                    // have been too, were its PINGREQ not counted.
                    let idle = try await Self.client(fixture, from: "127.0.0.3")
                    #expect(try await idle.connect(clientID: "idle", keepAlive: 60) == .accepted)
                    try await fixture.waitUntil { sessions, _ in
                        sessions.contains { $0.clientID == "idle" && $0.state == .lost }
                    }
                    #expect(
                        await fixture.gateway.sessions().contains { $0.clientID == "pinger" && $0.state == .connected }
                    )
                    await pinger.close()
                    await idle.close()
                }
            )
        }
    }
}
