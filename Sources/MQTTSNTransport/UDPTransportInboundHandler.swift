import NIOCore

/// Hands datagrams read by a ``UDPTransport`` or ``UDPMulticastTransport`` to the gateway's
/// ``MQTTSNInboundHandler``.
final class UDPTransportInboundHandler<Transport: MQTTSNTransport>: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let transportFuture: EventLoopFuture<Transport>
    private let handler: any MQTTSNInboundHandler
    private var transport: Transport?

    init(transport: EventLoopFuture<Transport>, handler: any MQTTSNInboundHandler) {
        self.transportFuture = transport
        self.handler = handler
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // The transport object exists only once the bind completed; datagrams cannot arrive before that, because
        // the channel is not registered for reads until the bind finished.
        self.transportFuture.assumeIsolated().whenSuccess { transport in
            self.transport = transport
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let transport = self.transport else {
            return
        }
        let envelope = self.unwrapInboundIn(data)
        self.handler.receive(envelope.data, from: .udp(envelope.remoteAddress), via: transport)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard let transport = self.transport else {
            return
        }
        self.handler.receiveBurstComplete(via: transport)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // An ICMP port-unreachable from one client surfaces as a read error on the shared socket; it must not close
        // the listener every other client uses.
    }
}
