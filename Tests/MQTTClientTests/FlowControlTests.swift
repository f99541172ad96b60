import MQTTClient
import NIOCore
import Testing

/// Unflushed publishes and a broker that stops reading, over real loopback TCP through the whole client.
@Suite("Write batching and congestion", .timeLimit(.minutes(1)))
struct FlowControlTests {
    static func respondingBroker() async throws -> ScriptedBroker {
        try await ScriptedBroker.start(version: .v3_1_1) { packet in
            switch packet {
            case .connect:
                return [ScriptedBrokerTests.connack()]
            case .publish(let publish):
                guard let packetID = publish.packetID else { return [] }
                return [.puback(MQTTPublishResponsePacket(packetID: packetID))]
            default:
                return []
            }
        }
    }

    static func publishes(_ packets: [MQTTPacket]) -> [String] {
        packets.compactMap { packet in
            guard case .publish(let publish) = packet else { return nil }
            return String(buffer: publish.message.payload)
        }
    }

    @Test("publishes made with flush: false stay in the write buffer until flush(), then leave in order")
    func unflushedUntilFlush() async throws {
        let broker = try await Self.respondingBroker()
        let client = TestClient(ScriptedBrokerTests.configuration(broker, .v3_1_1))
        try await client.client.connect()
        let loop = client.client.eventLoop
        let acknowledged = try await loop.submit {
            (1...3).map { index in
                let promise = loop.makePromise(of: Void.self)
                client.client.publish(
                    MQTTMessage(topic: "batch", payload: "m\(index)", qos: .atLeastOnce),
                    flush: false,
                    promise: promise
                )
                return promise.futureResult
            }
        }.get()

        // A PINGREQ-free keepalive and no other traffic: nothing may reach the broker before the flush.
        try await Task.sleep(for: .milliseconds(200))
        #expect(Self.publishes(broker.received.all).isEmpty, "nothing is sent before flush()")

        client.client.flush()
        for future in acknowledged { try await future.get() }
        #expect(Self.publishes(broker.received.all) == ["m1", "m2", "m3"])
        try await client.client.disconnect()
        await broker.stop()
    }

    @Test(
        "a broker that stops reading makes the client unwritable: QoS 0 fails as congested, QoS 1 waits, both recover"
    )
    func congestion() async throws {
        let broker = try await Self.respondingBroker()
        let client = TestClient(ScriptedBrokerTests.configuration(broker, .v3_1_1))
        try await client.client.connect()
        #expect(client.client.isWritable)
        let connection = try await broker.connections.wait("the client's connection") { _ in true }
        try await connection.setOption(ChannelOptions.autoRead, value: false).get()

        let loop = client.client.eventLoop
        let payload = ByteBuffer(repeating: 0x55, count: 16 * 1024)
        // The kernel's socket buffers take some megabytes; then the client's own buffer passes its high-water mark.
        let written = try await loop.submit {
            var count = 0
            while client.client.isWritable, count < 20_000 {
                client.client.publish(MQTTMessage(topic: "bulk", payload: payload), flush: true, promise: nil)
                count += 1
            }
            return count
        }.get()
        #expect(written < 20_000, "the client became unwritable")
        #expect(!client.client.isWritable)

        let (dropped, acknowledged) = try await loop.submit {
            let dropped = loop.makePromise(of: Void.self)
            client.client.publish(MQTTMessage(topic: "bulk", payload: "late"), flush: true, promise: dropped)
            let acknowledged = loop.makePromise(of: Void.self)
            client.client.publish(
                MQTTMessage(topic: "bulk", payload: "reliable", qos: .atLeastOnce),
                flush: true,
                promise: acknowledged
            )
            return (dropped.futureResult, acknowledged.futureResult)
        }.get()
        await #expect(throws: MQTTClientError.congested) { try await dropped.get() }

        // The broker reads again: everything buffered drains, the QoS 1 message is acknowledged.
        try await connection.setOption(ChannelOptions.autoRead, value: true).get()
        connection.read()
        try await acknowledged.get()
        #expect(client.client.isWritable)
        try await client.client.publish(MQTTMessage(topic: "bulk", payload: "after"))
        try await broker.received.wait("the message after the congestion") { packet in
            Self.publishes([packet]) == ["after"]
        }
        let payloads = Self.publishes(broker.received.all)
        #expect(payloads.count == written + 2, "every message written before the congestion, then reliable and after")
        #expect(!payloads.contains("late"))
        try await client.client.disconnect()
        await broker.stop()
    }
}
