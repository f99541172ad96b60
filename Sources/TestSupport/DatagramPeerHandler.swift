import NIOCore

/// Hands each datagram a ``DatagramPeer`` reads to its inbox.
final class DatagramPeerHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let inbox: DatagramPeerInbox

    init(inbox: DatagramPeerInbox) {
        self.inbox = inbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = Self.unwrapInboundIn(data)
        self.inbox.deliver(.init(bytes: Array(envelope.data.readableBytesView), source: envelope.remoteAddress))
    }
}
