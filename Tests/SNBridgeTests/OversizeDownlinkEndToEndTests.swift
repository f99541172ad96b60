import Foundation
import NIOCore
import NIOPosix
import TestSupport
import Testing

/// Broker messages larger than a client can take, through the real `snbridge run`: the large one is dropped for
/// that client (counted, logged with its size), the session stays, and the small one queued behind it arrives.
@Suite("snbridge with downlink too large for the client", .serialized, .timeLimit(.minutes(2)))
struct OversizeDownlinkEndToEndTests {
    /// CONNECT, then SUBSCRIBE `topic` at QoS 1; returns the topic id from SUBACK.
    private func connectAndSubscribe(
        _ peer: DatagramPeer,
        _ bridge: UDPBridgeFixture,
        clientID: String,
        topic: String
    )
        async throws -> [UInt8]
    {
        let id = Array(clientID.utf8)
        try await peer.send([UInt8(6 + id.count), 0x04, 0x04, 0x01, 0x00, 0x3C] + id, to: bridge.gateway)
        #expect(try await peer.receive(timeout: .seconds(10)).bytes == [0x03, 0x05, 0x00])
        let name = Array(topic.utf8)
        try await peer.send([UInt8(5 + name.count), 0x12, 0x20, 0x00, 0x01] + name, to: bridge.gateway)
        let suback = try await peer.receive(timeout: .seconds(10)).bytes
        #expect(suback.count == 8 && suback[1] == 0x13 && suback[7] == 0x00)
        return Array(suback[3...4])
    }

    /// The next PUBLISH's payload as text, with its message id.
    private func nextPublish(_ peer: DatagramPeer) async throws -> (payload: String, messageID: [UInt8]) {
        let publish = try await peer.receive(timeout: .seconds(10)) { $0.count >= 7 && $0[1] == 0x0C }.bytes
        return (String(decoding: publish[7...], as: UTF8.self), Array(publish[5...6]))
    }

    @Test("UDP, gateway.clients.<id>.max_packet_size 64: a 200-byte QoS 1 message is not sent, the small one is")
    func configuredMaximumPacketSize() async throws {
        let bridge = try await UDPBridgeFixture.start(gatewayYAML: "  clients: { small-1: { max_packet_size: 64 } }")
        let peer = try await DatagramPeer.bind(on: MultiThreadedEventLoopGroup.singleton)
        let topicID = try await self.connectAndSubscribe(peer, bridge, clientID: "small-1", topic: "dl/cmd")
        try await MosquittoPublisher.publish(
            broker: bridge.broker,
            topic: "dl/cmd",
            payload: String(repeating: "L", count: 200),
            qos: 1
        )
        try await MosquittoPublisher.publish(broker: bridge.broker, topic: "dl/cmd", payload: "small", qos: 1)
        let publish = try await self.nextPublish(peer)
        #expect(publish.payload == "small")
        let line = try await bridge.process.waitForLog("Broker message too large for the client dropped")
        #expect(line.contains("message.size=207") && line.contains("client.max_packet_size=64"))
        #expect(line.contains("client.id=small-1"))
        // Acknowledge; the session is alive and answers a ping.
        try await peer.send([0x07, 0x0D] + topicID + publish.messageID + [0x00], to: bridge.gateway)
        try await peer.send([0x02, 0x16], to: bridge.gateway)
        _ = try await peer.receive { $0 == [0x02, 0x17] }
        await peer.close()
        try await bridge.stop()
    }

    @Test("UDP: a client that never acknowledges a 400-byte message loses only it after the retries, not its session")
    func retriesExhaustedDropsOnlyTheMessage() async throws {
        let bridge = try await UDPBridgeFixture.start(gatewayYAML: "  retry_interval: 200ms\n  retry_count: 2")
        let peer = try await DatagramPeer.bind(on: MultiThreadedEventLoopGroup.singleton)
        let topicID = try await self.connectAndSubscribe(peer, bridge, clientID: "deaf-1", topic: "dl/cmd")
        try await MosquittoPublisher.publish(
            broker: bridge.broker,
            topic: "dl/cmd",
            payload: String(repeating: "L", count: 400),
            qos: 1
        )
        try await MosquittoPublisher.publish(broker: bridge.broker, topic: "dl/cmd", payload: "small", qos: 1)
        // The large one (three-octet length form) comes three times: the first send and two retransmissions.
        for _ in 0..<3 {
            let large = try await peer.receive(timeout: .seconds(10)).bytes
            #expect(large.count == 409 && large[0] == 0x01 && large[3] == 0x0C)
        }
        let publish = try await self.nextPublish(peer)
        #expect(publish.payload == "small")
        let line = try await bridge.process.waitForLog("not acknowledged by the client after retries dropped")
        #expect(line.contains("message.size=409") && line.contains("client.id=deaf-1"))
        try await peer.send([0x07, 0x0D] + topicID + publish.messageID + [0x00], to: bridge.gateway)
        try await peer.send([0x02, 0x16], to: bridge.gateway)
        _ = try await peer.receive { $0 == [0x02, 0x17] }
        await peer.close()
        try await bridge.stop()
    }

    @Test("Serial, a board with a 64-byte frame: a 200-byte command is not sent, the small one behind it is")
    func serialLinkFrameSize() async throws {
        let fixture = try await SerialBridgeFixture.start(
            serialPort: "{ path: PATH, baud: 115200, link_keepalive: 2s }",
            topics: ["board/#"]
        )
        let device = try SimulatedDevice(arguments: [
            "--id", "a1b2c3d4e5f7", "--max-frame", "64", fixture.cable.deviceEnd,
        ])
        try await device.waitForLine(startingWith: "linked")
        device.send("connect board-small 30 clean")
        try await device.waitForLine(startingWith: "connack 0")
        device.send("subscribe board/command 1")
        try await device.waitForLine(startingWith: "suback")
        try await MosquittoPublisher.publish(
            broker: fixture.broker,
            topic: "board/command",
            payload: String(repeating: "C", count: 200),
            qos: 1
        )
        try await MosquittoPublisher.publish(broker: fixture.broker, topic: "board/command", payload: "led-on", qos: 1)
        let message = try await device.waitForLine(startingWith: "message")
        #expect(message.hasSuffix(" led-on"))
        // 64-byte frames less 3 octets of framing.
        let line = try await fixture.bridge.waitForLog("Broker message too large for the client dropped")
        #expect(line.contains("message.size=207") && line.contains("client.max_packet_size=61"))
        #expect(!device.printed.contains { $0.hasPrefix("message") && $0.contains("CCCC") })
        device.send("publish board/temperature 1 20.5")
        try await device.waitForLine(startingWith: "puback")
        try await fixture.stop { device.terminate() }
    }
}
