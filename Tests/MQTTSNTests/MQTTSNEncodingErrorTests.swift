import MQTTSN
import NIOCore
import Testing

@Suite("Encoding refuses what peers would reject")
struct MQTTSNEncodingErrorTests {
    struct RefusedCase: Sendable, CustomTestStringConvertible {
        var name: String
        var packet: MQTTSNPacket
        var error: MQTTSNEncodingError
        var testDescription: String { self.name }

        init(_ name: String, _ packet: MQTTSNPacket, _ error: MQTTSNEncodingError) {
            self.name = name
            self.packet = packet
            self.error = error
        }
    }

    static let cases: [RefusedCase] = [
        RefusedCase("CONNECT empty client id", .connect(MQTTSNConnect(duration: 10, clientID: "")), .emptyClientID),
        RefusedCase("REGISTER empty topic", .register(MQTTSNRegister(messageID: 1, topicName: "")), .emptyTopicName),
        RefusedCase(
            "SUBSCRIBE empty topic",
            .subscribe(MQTTSNSubscribe(qos: .atMostOnce, messageID: 1, topic: .name(""))),
            .emptyTopicName
        ),
        RefusedCase(
            "SUBSCRIBE QoS -1",
            .subscribe(MQTTSNSubscribe(qos: .fireAndForget, messageID: 1, topic: .predefined(1))),
            .invalidQoS(.fireAndForget)
        ),
        RefusedCase(
            "SUBACK QoS -1",
            .subscribeAck(MQTTSNSubscribeAck(qos: .fireAndForget, topicID: 1, messageID: 1, returnCode: .accepted)),
            .invalidQoS(.fireAndForget)
        ),
        RefusedCase(
            "UNSUBSCRIBE empty topic",
            .unsubscribe(MQTTSNUnsubscribe(messageID: 1, topic: .name(""))),
            .emptyTopicName
        ),
        RefusedCase(
            "WILLTOPIC QoS -1",
            .willTopic(MQTTSNWillTopic(will: MQTTSNWill(qos: .fireAndForget, topicName: "w"))),
            .invalidQoS(.fireAndForget)
        ),
        RefusedCase(
            "WILLTOPICUPD empty topic name",
            .willTopicUpdate(MQTTSNWillTopicUpdate(will: MQTTSNWill(topicName: ""))),
            .emptyTopicName
        ),
        RefusedCase(
            "PUBLISH above 65535 octets",
            .publish(MQTTSNPublish(qos: .atMostOnce, topicID: 1, payload: ByteBuffer(repeating: 0, count: 65_527))),
            .messageTooLarge(length: 65_536)
        ),
        RefusedCase(
            "encapsulation radius above 3",
            .forwarderEncapsulation(
                MQTTSNForwarderEncapsulation(
                    radius: 4,
                    wirelessNodeID: ByteBuffer(),
                    message: .pingResponse(MQTTSNPingResponse())
                )
            ),
            .invalidRadius(4)
        ),
        RefusedCase(
            "encapsulation in encapsulation",
            .forwarderEncapsulation(
                MQTTSNForwarderEncapsulation(
                    wirelessNodeID: ByteBuffer(),
                    message: .forwarderEncapsulation(
                        MQTTSNForwarderEncapsulation(
                            wirelessNodeID: ByteBuffer(),
                            message: .pingResponse(MQTTSNPingResponse())
                        )
                    )
                )
            ),
            .nestedForwarderEncapsulation
        ),
        RefusedCase(
            "encapsulation of an invalid message",
            .forwarderEncapsulation(
                MQTTSNForwarderEncapsulation(
                    wirelessNodeID: ByteBuffer(bytes: [1]),
                    message: .connect(MQTTSNConnect(duration: 10, clientID: ""))
                )
            ),
            .emptyClientID
        ),
        RefusedCase(
            "encapsulation whose total exceeds 65535 octets",
            .forwarderEncapsulation(
                MQTTSNForwarderEncapsulation(
                    wirelessNodeID: ByteBuffer(repeating: 0, count: 100),
                    message: .willMessage(MQTTSNWillMessage(message: ByteBuffer(repeating: 0, count: 65_500)))
                )
            ),
            .messageTooLarge(length: 103 + 65_504)
        ),
    ]

    @Test("encode throws the specific error and writes nothing", arguments: cases)
    func refused(_ refusedCase: RefusedCase) {
        var buffer = ByteBuffer(bytes: [0xAA])
        #expect(throws: refusedCase.error) {
            try refusedCase.packet.encode(into: &buffer)
        }
        #expect(Array(buffer.readableBytesView) == [0xAA])
    }

    @Test("empty optional fields encode like absent ones")
    func emptyOptionals() throws {
        let ping = MQTTSNPacket.pingRequest(MQTTSNPingRequest(clientID: ""))
        #expect(try ping.encodedBytes() == [0x02, 0x16])
        let info = MQTTSNPacket.gatewayInfo(MQTTSNGatewayInfo(gatewayID: 1, gatewayAddress: ByteBuffer()))
        #expect(try MQTTSNPacket.decode(info.encodedBytes()) == .gatewayInfo(MQTTSNGatewayInfo(gatewayID: 1)))
    }

    @Test("a large wireless node id uses the long form for the encapsulation header")
    func longEncapsulationHeader() throws {
        let packet = MQTTSNPacket.forwarderEncapsulation(
            MQTTSNForwarderEncapsulation(
                wirelessNodeID: ByteBuffer(repeating: 0x11, count: 300),
                message: .pingResponse(MQTTSNPingResponse())
            )
        )
        let bytes = try packet.encodedBytes()
        // 0x01, Length 305 (4 header + Ctrl + 300), MsgType, Ctrl ... then PINGRESP.
        #expect(Array(bytes.prefix(5)) == [0x01, 0x01, 0x31, 0xFE, 0x00])
        #expect(Array(bytes.suffix(2)) == [0x02, 0x17])
        #expect(try MQTTSNPacket.decode(bytes) == packet)
    }
}
