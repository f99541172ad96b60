import Foundation
import NIOCore
import NIOPosix
import TestSupport
import Testing

/// Messages a gateway used to meet with silence, answered by the real `snbridge run`: raw datagrams in, the exact
/// answer bytes out, and the reason in the log.
@Suite("snbridge answers instead of silence", .serialized, .timeLimit(.minutes(2)))
struct ProtocolAnswersEndToEndTests {
    static let connackNotSupported: [UInt8] = [0x03, 0x05, 0x03]
    static let disconnect: [UInt8] = [0x02, 0x18]

    /// CONNECT (no will, clean session, keepalive 60 s) for `clientID`; `will` sets the will flag.
    static func connect(_ clientID: String, will: Bool = false) -> [UInt8] {
        let id = Array(clientID.utf8)
        return [UInt8(6 + id.count), 0x04, will ? 0x0C : 0x04, 0x01, 0x00, 0x3C] + id
    }

    /// Sends `request` and expects exactly `answer` back, then the refusal `reason` in the log.
    private func expect(
        _ peer: DatagramPeer,
        _ bridge: UDPBridgeFixture,
        send request: [UInt8],
        answer: [UInt8],
        reason: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await peer.send(request, to: bridge.gateway)
        let received = try await peer.receive()
        #expect(received.bytes == answer, "answer to \(request)", sourceLocation: sourceLocation)
        try await bridge.process.waitForLog("MQTT-SN message refused", "refusal.reason=\(reason)")
    }

    @Test("CONNECT with an empty or over-long client id gets CONNACK 0x03; PINGREQ with an over-long id DISCONNECT")
    func clientIDRefusals() async throws {
        let bridge = try await UDPBridgeFixture.start(gatewayYAML: "  max_client_id_length: 16")
        let peer = try await DatagramPeer.bind(on: MultiThreadedEventLoopGroup.singleton)
        try await self.expect(
            peer,
            bridge,
            send: [0x06, 0x04, 0x04, 0x01, 0x00, 0x3C],
            answer: Self.connackNotSupported,
            reason: "client_id_empty"
        )
        try await self.expect(
            peer,
            bridge,
            send: Self.connect(String(repeating: "x", count: 17)),
            answer: Self.connackNotSupported,
            reason: "client_id_too_long"
        )
        // Not UTF-8.
        try await self.expect(
            peer,
            bridge,
            send: [0x08, 0x04, 0x04, 0x01, 0x00, 0x3C, 0xC3, 0x28],
            answer: Self.connackNotSupported,
            reason: "connect_malformed"
        )
        let longPing = [UInt8(2 + 17), 0x16] + Array(String(repeating: "p", count: 17).utf8)
        try await self.expect(peer, bridge, send: longPing, answer: Self.disconnect, reason: "ping_client_id_invalid")
        // Exactly at the limit is fine.
        try await peer.send(Self.connect(String(repeating: "y", count: 16)), to: bridge.gateway)
        #expect(try await peer.receive(timeout: .seconds(10)).bytes == [0x03, 0x05, 0x00])
        await peer.close()
        try await bridge.stop()
    }

    @Test("SUBSCRIBE with TopicIdType 0b11 and names over the cap get 0x03 with their message id")
    func topicRefusals() async throws {
        let bridge = try await UDPBridgeFixture.start(gatewayYAML: "  max_topic_name_length: 32")
        let peer = try await DatagramPeer.bind(on: MultiThreadedEventLoopGroup.singleton)
        try await peer.send(Self.connect("answers-1"), to: bridge.gateway)
        #expect(try await peer.receive(timeout: .seconds(10)).bytes == [0x03, 0x05, 0x00])

        // SUBSCRIBE QoS 1, TopicIdType 0b11, MsgId 0x002A, "topic" 0x0001: SUBACK QoS 1, TopicId 0, MsgId, 0x03.
        try await self.expect(
            peer,
            bridge,
            send: [0x07, 0x12, 0x23, 0x00, 0x2A, 0x00, 0x01],
            answer: [0x08, 0x13, 0x20, 0x00, 0x00, 0x00, 0x2A, 0x03],
            reason: "topic_id_type_reserved"
        )
        let longName = Array(String(repeating: "t", count: 33).utf8)
        // REGISTER TopicId 0, MsgId 0x002B: REGACK TopicId 0, MsgId, 0x03.
        try await self.expect(
            peer,
            bridge,
            send: [UInt8(6 + longName.count), 0x0A, 0x00, 0x00, 0x00, 0x2B] + longName,
            answer: [0x07, 0x0B, 0x00, 0x00, 0x00, 0x2B, 0x03],
            reason: "topic_name_too_long"
        )
        // SUBSCRIBE QoS 0 by name, MsgId 0x002C.
        try await self.expect(
            peer,
            bridge,
            send: [UInt8(5 + longName.count), 0x12, 0x00, 0x00, 0x2C] + longName,
            answer: [0x08, 0x13, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x03],
            reason: "topic_name_too_long"
        )
        // The session is intact: a name within the cap registers.
        let name = Array("answers/ok".utf8)
        try await peer.send([UInt8(6 + name.count), 0x0A, 0x00, 0x00, 0x00, 0x2D] + name, to: bridge.gateway)
        let regack = try await peer.receive()
        #expect(regack.bytes.count == 7 && regack.bytes[1] == 0x0B && regack.bytes[4...6] == [0x00, 0x2D, 0x00])
        await peer.close()
        try await bridge.stop()
    }

    @Test("The will exchange: an over-long WILLTOPIC gets CONNACK 0x03, REGISTER or WILLMSG out of order DISCONNECT")
    func willExchangeRefusals() async throws {
        let bridge = try await UDPBridgeFixture.start(gatewayYAML: "  max_topic_name_length: 32")
        let peer = try await DatagramPeer.bind(on: MultiThreadedEventLoopGroup.singleton)
        let willTopicRequest: [UInt8] = [0x02, 0x06]

        try await peer.send(Self.connect("will-1", will: true), to: bridge.gateway)
        #expect(try await peer.receive().bytes == willTopicRequest)
        let longName = Array(String(repeating: "w", count: 33).utf8)
        try await self.expect(
            peer,
            bridge,
            send: [UInt8(3 + longName.count), 0x07, 0x20] + longName,
            answer: Self.connackNotSupported,
            reason: "will_topic_too_long"
        )

        try await peer.send(Self.connect("will-2", will: true), to: bridge.gateway)
        #expect(try await peer.receive().bytes == willTopicRequest)
        let name = Array("a/b".utf8)
        try await self.expect(
            peer,
            bridge,
            send: [UInt8(6 + name.count), 0x0A, 0x00, 0x00, 0x00, 0x01] + name,
            answer: Self.disconnect,
            reason: "will_handshake_out_of_order"
        )

        try await peer.send(Self.connect("will-3", will: true), to: bridge.gateway)
        #expect(try await peer.receive().bytes == willTopicRequest)
        try await self.expect(
            peer,
            bridge,
            send: [0x05, 0x09, 0x62, 0x79, 0x65],
            answer: Self.disconnect,
            reason: "will_handshake_out_of_order"
        )

        // After all that, a proper exchange still connects.
        try await peer.send(Self.connect("will-4", will: true), to: bridge.gateway)
        #expect(try await peer.receive().bytes == willTopicRequest)
        try await peer.send([UInt8(3 + name.count), 0x07, 0x20] + name, to: bridge.gateway)
        #expect(try await peer.receive().bytes == [0x02, 0x08])
        try await peer.send([0x05, 0x09, 0x62, 0x79, 0x65], to: bridge.gateway)
        #expect(try await peer.receive(timeout: .seconds(10)).bytes == [0x03, 0x05, 0x00])
        await peer.close()
        try await bridge.stop()
    }

    @Test("A QoS -1 PUBLISH with a normal topic id is dropped with a notice naming the real reason")
    func qosMinusOneNormalTopicID() async throws {
        let bridge = try await UDPBridgeFixture.start(gatewayYAML: "  qos_minus_one: { enabled: true }")
        let peer = try await DatagramPeer.bind(on: MultiThreadedEventLoopGroup.singleton)
        // PUBLISH QoS -1 (0b11 in the QoS bits), TopicIdType normal, TopicId 1, MsgId 0, "hi".
        try await peer.send([0x09, 0x0C, 0x60, 0x00, 0x01, 0x00, 0x00, 0x68, 0x69], to: bridge.gateway)
        let line = try await bridge.process.waitForLog("QoS -1 publish with a normal topic id dropped")
        #expect(line.contains("drop.reason=qos_minus_one_normal_topic_id"))
        #expect(!line.contains("unknown topic"))
        await peer.close()
        try await bridge.stop()
    }
}
