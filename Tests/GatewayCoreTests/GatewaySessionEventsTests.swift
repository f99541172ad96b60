import GatewayCore
import MQTTSN
import NIOCore
import Testing

/// The gateway's session events, through a real mosquitto: created, connected, asleep, ended with the reason.
@Suite("Gateway session events", .serialized, .timeLimit(.minutes(1)))
struct GatewaySessionEventsTests {
    /// Collects events from the stream until `count` have arrived.
    static func take(
        _ count: Int,
        from iterator: inout AsyncStream<GatewaySessionEvent>.Iterator
    ) async -> [GatewaySessionEvent] {
        var events: [GatewaySessionEvent] = []
        while events.count < count, let event = await iterator.next() {
            events.append(event)
        }
        return events
    }

    @Test("A client's life as events: connecting, connected, asleep, connected again, ended by DISCONNECT")
    func lifeAsEvents() async throws {
        try await GatewayFixture.with { fixture in
            let stream = await fixture.gateway.sessionEvents()
            var iterator = stream.makeAsyncIterator()
            let client = try await fixture.connectedClient("events-1")
            var events = await Self.take(2, from: &iterator)
            #expect(events.map(\.session.state) == [.connecting, .connected])
            #expect(events.allSatisfy { $0.session.clientID == "events-1" && !$0.ended })
            #expect(events.last?.session.lastHeard != nil)

            try await client.send(.disconnect(MQTTSNDisconnect(duration: 60)))
            events = await Self.take(1, from: &iterator)
            #expect(events.map(\.session.state) == [.asleep])

            #expect(try await client.connect(clientID: "events-1") == .accepted)
            events = await Self.take(1, from: &iterator)
            #expect(events.map(\.session.state) == [.connected])
            #expect((events.first?.session.messagesIn ?? 0) >= 3)

            try await client.send(.disconnect(MQTTSNDisconnect()))
            events = await Self.take(1, from: &iterator)
            #expect(events.first?.session.state == .lost)
            #expect(events.first?.endReason == "disconnected")
            await client.close()
        }
    }

    @Test("A silent client ends with the loss reason; shutdown ends the stream")
    func lossAndShutdown() async throws {
        let stream: AsyncStream<GatewaySessionEvent> = try await GatewayFixture.with(
            configure: {
                $0.keepAliveGraceFactor = 1
            },
            { fixture in
                let stream = await fixture.gateway.sessionEvents()
                var iterator = stream.makeAsyncIterator()
                let client = try await fixture.connectedClient("events-2", keepAlive: 1)
                let events = await Self.take(3, from: &iterator)
                #expect(events.map(\.session.state) == [.connecting, .connected, .lost])
                #expect(events.last?.endReason == "keepalive expired")
                await client.close()
                return stream
            }
        )
        // The fixture shut the gateway down: the stream has ended.
        var iterator = stream.makeAsyncIterator()
        #expect(await iterator.next() == nil)
    }
}
