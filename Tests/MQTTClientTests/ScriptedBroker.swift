import MQTTClient
import NIOCore
import NIOPosix

/// A loopback MQTT server whose answers the test scripts, for broker behaviour mosquitto cannot be made to show
/// (a CONNACK with return code 4, a PUBACK with a failure reason code, a redelivered QoS 2 PUBLISH...).
///
/// Every packet the client sends is recorded; `respond` returns the packets to answer with.
final class ScriptedBroker: Sendable {
    let port: Int
    /// Everything the client sent, in order.
    let received: Collector<MQTTPacket>
    /// The accepted connections, so that a test can stop (and resume) reading one of them.
    let connections: Collector<any Channel>
    private let serverChannel: any Channel

    private init(
        port: Int,
        serverChannel: any Channel,
        received: Collector<MQTTPacket>,
        connections: Collector<any Channel>
    ) {
        self.port = port
        self.serverChannel = serverChannel
        self.received = received
        self.connections = connections
    }

    static func start(
        version: MQTTProtocolVersion,
        respond: @escaping @Sendable (MQTTPacket) -> [MQTTPacket]
    ) async throws -> ScriptedBroker {
        let received = Collector<MQTTPacket>()
        let connections = Collector<any Channel>()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                connections.append(child)
                return child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(MQTTPacketDecoder(protocolVersion: version))
                    )
                    try child.pipeline.syncOperations.addHandler(
                        ScriptHandler(version: version, received: received, respond: respond)
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return ScriptedBroker(
            port: channel.localAddress!.port!,
            serverChannel: channel,
            received: received,
            connections: connections
        )
    }

    func stop() async {
        try? await serverChannel.close()
    }
}

private final class ScriptHandler: ChannelInboundHandler {
    typealias InboundIn = MQTTPacket
    typealias OutboundOut = ByteBuffer

    private let encoder: MQTTPacketEncoder
    private let received: Collector<MQTTPacket>
    private let respond: @Sendable (MQTTPacket) -> [MQTTPacket]

    init(
        version: MQTTProtocolVersion,
        received: Collector<MQTTPacket>,
        respond: @escaping @Sendable (MQTTPacket) -> [MQTTPacket]
    ) {
        self.encoder = MQTTPacketEncoder(protocolVersion: version)
        self.received = received
        self.respond = respond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let packet = unwrapInboundIn(data)
        received.append(packet)
        for response in respond(packet) {
            var buffer = context.channel.allocator.buffer(capacity: 32)
            try! encoder.encode(response, into: &buffer)
            context.write(wrapOutboundOut(buffer), promise: nil)
        }
        context.flush()
    }
}
