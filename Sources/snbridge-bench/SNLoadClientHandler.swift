import NIOCore

/// Hands every datagram from the bridge to its ``SNLoadClient``.
final class SNLoadClientHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    /// Set on the event loop right after the channel is created; datagrams before that are dropped.
    var client: SNLoadClient?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        client?.received(unwrapInboundIn(data).data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ECONNREFUSED from ICMP port unreachable when the bridge is gone; nothing to do.
    }

    func channelInactive(context: ChannelHandlerContext) {
        client = nil
        context.fireChannelInactive()
    }
}
