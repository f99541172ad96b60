import NIOCore

/// Hands datagrams read on a DTLS listener to its ``DTLSTransport``, which decrypts them for the gateway.
final class DTLSTransportInboundHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let transportFuture: EventLoopFuture<DTLSTransport>
    private var transport: DTLSTransport?

    init(transport: EventLoopFuture<DTLSTransport>) {
        self.transportFuture = transport
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // As for UDP: no datagram can be read before the bind completed and the transport exists.
        self.transportFuture.assumeIsolated().whenSuccess { transport in
            self.transport = transport
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.transport?.datagramReceived(self.unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.transport?.readComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // An ICMP error from one peer must not close the listener the others use.
    }
}
