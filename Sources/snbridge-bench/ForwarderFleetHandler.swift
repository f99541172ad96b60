import NIOCore

/// Hands every datagram from the bridge to its ``ForwarderFleet``.
final class ForwarderFleetHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    /// Set on the event loop right after the channel is created; datagrams before that are dropped.
    var fleet: ForwarderFleet?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        fleet?.received(unwrapInboundIn(data).data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ECONNREFUSED from ICMP port unreachable when the bridge is gone; nothing to do.
    }
}
