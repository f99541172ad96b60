import Foundation
import NIOCore
import NIOPosix
import TestSupport
import Testing

/// Forwarder Encapsulation over UDP through the real `snbridge run`: a raw client plays a radio-to-UDP forwarder
/// with two wireless nodes behind it, each with its own session, and every answer comes back encapsulated.
@Suite("snbridge with forwarders over UDP", .serialized, .timeLimit(.minutes(2)))
struct ForwarderEndToEndTests {
    /// `message` in a Forwarder Encapsulation for node `node` (radius 0).
    static func encapsulated(_ node: [UInt8], _ message: [UInt8]) -> [UInt8] {
        [UInt8(3 + node.count), 0xFE, 0x00] + node + message
    }

    static func connect(_ clientID: String) -> [UInt8] {
        let id = Array(clientID.utf8)
        return [UInt8(6 + id.count), 0x04, 0x04, 0x01, 0x00, 0x3C] + id
    }

    @Test("Two nodes behind one forwarder: CONNECT, REGISTER, PUBLISH QoS 1 to the broker and back, all encapsulated")
    func twoNodesRoundTrip() async throws {
        let bridge = try await UDPBridgeFixture.start(gatewayYAML: "  id: 1")
        let forwarder = try await DatagramPeer.bind(on: MultiThreadedEventLoopGroup.singleton)
        let subscriber = try await MosquittoSubscriber.start(broker: bridge.broker, topics: ["fe/#"], qos: 1)
        let (node1, node2): ([UInt8], [UInt8]) = ([0x2A], [0x00, 0x13, 0xA2, 0x00])

        for (node, id) in [(node1, "fe-node-1"), (node2, "fe-node-2")] {
            try await forwarder.send(Self.encapsulated(node, Self.connect(id)), to: bridge.gateway)
            #expect(
                try await forwarder.receive(timeout: .seconds(10)).bytes == Self.encapsulated(node, [0x03, 0x05, 0x00])
            )
        }
        // Node 1 registers fe/temp and publishes QoS 1; the PUBACK comes back to node 1 only.
        let name = Array("fe/temp".utf8)
        try await forwarder.send(
            Self.encapsulated(node1, [UInt8(6 + name.count), 0x0A, 0x00, 0x00, 0x00, 0x01] + name),
            to: bridge.gateway
        )
        let regack = try await forwarder.receive().bytes
        #expect(
            regack.count == 11 && Array(regack[0...3]) == [0x04, 0xFE, 0x00, 0x2A] && regack[5] == 0x0B
                && regack[10] == 0x00
        )
        let topicID = Array(regack[6...7])
        try await forwarder.send(
            Self.encapsulated(node1, [0x0B, 0x0C, 0x20] + topicID + [0x00, 0x02] + Array("21.5".utf8)),
            to: bridge.gateway
        )
        #expect(
            try await forwarder.receive().bytes
                == Self.encapsulated(node1, [0x07, 0x0D] + topicID + [0x00, 0x02, 0x00])
        )
        let reading = try await subscriber.waitForMessage(topic: "fe/temp")
        #expect(reading.payload == "21.5")

        // Node 2 subscribes; a broker message reaches node 2, encapsulated with its node id.
        let filter = Array("fe/cmd".utf8)
        try await forwarder.send(
            Self.encapsulated(node2, [UInt8(5 + filter.count), 0x12, 0x20, 0x00, 0x03] + filter),
            to: bridge.gateway
        )
        let suback = try await forwarder.receive().bytes
        #expect(Array(suback[0...6]) == [0x07, 0xFE, 0x00] + node2 && suback[8] == 0x13 && suback[14] == 0x00)
        try await MosquittoPublisher.publish(broker: bridge.broker, topic: "fe/cmd", payload: "on", qos: 1)
        let publish = try await forwarder.receive().bytes
        #expect(Array(publish[0...6]) == [0x07, 0xFE, 0x00] + node2 && publish[8] == 0x0C)
        #expect(String(decoding: publish[14...], as: UTF8.self) == "on")

        // A refusal inside an encapsulation is answered to the node, encapsulated.
        try await forwarder.send(Self.encapsulated(node1, [0x06, 0x04, 0x04, 0x01, 0x00, 0x3C]), to: bridge.gateway)
        #expect(try await forwarder.receive().bytes == Self.encapsulated(node1, [0x03, 0x05, 0x03]))
        await subscriber.stop()
        await forwarder.close()
        try await bridge.stop()
    }

    @Test("udp.forwarders.allowed_sources: an encapsulation from another source is dropped with a notice, unanswered")
    func allowlist() async throws {
        let bridge = try await UDPBridgeFixture.start(
            gatewayYAML: "  id: 1",
            udpYAML: "  forwarders: { allowed_sources: [\"10.0.0.0/8\"] }"
        )
        let forwarder = try await DatagramPeer.bind(on: MultiThreadedEventLoopGroup.singleton)
        try await forwarder.send(Self.encapsulated([0x2A], Self.connect("fe-refused")), to: bridge.gateway)
        let line = try await bridge.process.waitForLog("Forwarder Encapsulation dropped")
        #expect(line.contains("drop.reason=forwarder_not_allowed") && line.contains("#2a"))
        // The same client without the envelope is served: only forwarding is restricted.
        try await forwarder.send(Self.connect("fe-direct"), to: bridge.gateway)
        #expect(try await forwarder.receive(timeout: .seconds(10)).bytes == [0x03, 0x05, 0x00])
        await forwarder.close()
        try await bridge.stop()
    }
}
