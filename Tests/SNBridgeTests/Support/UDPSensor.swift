import MQTTSN
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A UDP MQTT-SN sensor for end-to-end tests: a real socket on loopback speaking through the MQTTSN codec.
/// Packets from the gateway collect in an inbox that ``waitFor(timeout:_:)`` polls until one matches.
final class UDPSensor: Sendable {
    private let channel: any Channel
    private let gateway: SocketAddress
    private let inbox: NIOLockedValueBox<[MQTTSNPacket]>

    private init(channel: any Channel, gateway: SocketAddress, inbox: NIOLockedValueBox<[MQTTSNPacket]>) {
        self.channel = channel
        self.gateway = gateway
        self.inbox = inbox
    }

    static func start(gatewayPort: Int) async throws -> UDPSensor {
        let inbox = NIOLockedValueBox<[MQTTSNPacket]>([])
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UDPSensorInbox(inbox: inbox))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return UDPSensor(
            channel: channel,
            gateway: try SocketAddress(ipAddress: "127.0.0.1", port: gatewayPort),
            inbox: inbox
        )
    }

    var localPort: Int? { channel.localAddress?.port }

    func send(_ packet: MQTTSNPacket) async throws {
        var buffer = ByteBuffer()
        try packet.encode(into: &buffer)
        try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: gateway, data: buffer)).get()
    }

    /// Takes the first received packet `match` accepts, waiting up to `timeout`.
    func waitFor<Value: Sendable>(
        timeout: Duration = .seconds(10),
        _ match: @Sendable (MQTTSNPacket) -> Value?
    ) async throws -> Value {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let found = inbox.withLockedValue { packets -> Value? in
                for (index, packet) in packets.enumerated() {
                    if let value = match(packet) {
                        packets.removeFirst(index + 1)
                        return value
                    }
                }
                return nil
            }
            if let found { return found }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw UDPSensorError(description: "no matching MQTT-SN packet from the gateway within \(timeout)")
    }

    func connect(clientID: String, keepAlive: UInt16 = 60) async throws -> MQTTSNReturnCode {
        try await send(
            .connect(MQTTSNConnect(will: false, cleanSession: true, duration: keepAlive, clientID: clientID))
        )
        return try await waitFor { packet in
            if case .connectAck(let ack) = packet { return ack.returnCode }
            return nil
        }
    }

    func register(_ topic: String, messageID: UInt16) async throws -> UInt16 {
        try await send(.register(MQTTSNRegister(messageID: messageID, topicName: topic)))
        return try await waitFor { packet in
            if case .registerAck(let ack) = packet, ack.messageID == messageID { return ack.topicID }
            return nil
        }
    }

    /// QoS 1 PUBLISH, waiting for its PUBACK (which the gateway sends once the broker acknowledged).
    func publish(topicID: UInt16, messageID: UInt16, payload: String) async throws -> MQTTSNReturnCode {
        try await send(
            .publish(
                MQTTSNPublish(
                    qos: .atLeastOnce,
                    topicIDType: .normal,
                    topicID: topicID,
                    messageID: messageID,
                    payload: ByteBuffer(string: payload)
                )
            )
        )
        return try await waitFor { packet in
            if case .publishAck(let ack) = packet, ack.messageID == messageID { return ack.returnCode }
            return nil
        }
    }

    /// DISCONNECT, with a sleep duration to go to sleep.
    func disconnect(sleep duration: UInt16? = nil) async throws {
        try await send(.disconnect(MQTTSNDisconnect(duration: duration)))
        _ = try await waitFor { packet -> Bool? in
            if case .disconnect = packet { return true }
            return nil
        }
    }

    func close() async {
        try? await channel.close()
    }
}

struct UDPSensorError: Error, CustomStringConvertible {
    var description: String
}

private final class UDPSensorInbox: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let inbox: NIOLockedValueBox<[MQTTSNPacket]>

    init(inbox: NIOLockedValueBox<[MQTTSNPacket]>) {
        self.inbox = inbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data).data
        guard
            let packet = try? MQTTSNPacket.decode(
                from: &buffer,
                limits: MQTTSNDecodingLimits(maximumMessageLength: 1024)
            )
        else { return }
        inbox.withLockedValue { $0.append(packet) }
    }
}
