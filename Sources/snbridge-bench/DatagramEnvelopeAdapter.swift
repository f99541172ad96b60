import NIOCore

/// Lets a client that writes plain buffers (``SNLoadClient``, made for connected sockets) sit on an unconnected
/// datagram channel: every buffer written goes to `remote` as an envelope. Used under ``DTLSClientHandler``, which
/// takes envelopes.
final class DatagramEnvelopeAdapter: ChannelOutboundHandler, Sendable {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    let remote: SocketAddress

    init(remote: SocketAddress) {
        self.remote = remote
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let envelope = AddressedEnvelope(remoteAddress: self.remote, data: self.unwrapOutboundIn(data))
        context.write(self.wrapOutboundOut(envelope), promise: promise)
    }
}
