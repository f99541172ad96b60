import NIOCore

/// Hands every datagram from the bridge to the bench client that owns the socket.
final class BridgeDatagramHandler<Receiver: DatagramReceiving>: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    /// Set on the event loop right after the channel is created; datagrams before that are dropped.
    var receiver: Receiver?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        receiver?.received(unwrapInboundIn(data).data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ECONNREFUSED from ICMP port unreachable when the bridge is gone; nothing to do.
    }

    func channelInactive(context: ChannelHandlerContext) {
        receiver = nil
        context.fireChannelInactive()
    }
}
