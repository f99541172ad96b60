import NIOCore

/// The last handler of a client's pipeline: hands decoded packets and channel events to its ``MQTTClientCore``.
///
///     [NIOSSLClientHandler] → ByteToMessageHandler(MQTTPacketDecoder) → MQTTConnectionHandler
///
/// Each connection attempt has its own generation number so that late events of an old channel are ignored.
final class MQTTConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = MQTTPacket
    typealias OutboundOut = ByteBuffer

    private let core: MQTTClientCore
    private let generation: Int
    private var context: ChannelHandlerContext?

    init(core: MQTTClientCore, generation: Int) {
        self.core = core
        self.generation = generation
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Writes from the end of the pipeline: the packet still passes TLS, and skips the generic `Channel.write`
    /// path (a dynamic cast per message).
    func write(_ buffer: ByteBuffer, flush: Bool, promise: EventLoopPromise<Void>?) {
        guard let context else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        if flush {
            context.writeAndFlush(wrapOutboundOut(buffer), promise: promise)
        } else {
            context.write(wrapOutboundOut(buffer), promise: promise)
        }
    }

    func flush() {
        context?.flush()
    }

    func channelActive(context: ChannelHandlerContext) {
        core.channelActive(context.channel, writer: self, generation: generation)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        core.packetReceived(unwrapInboundIn(data), generation: generation)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        core.readComplete(generation: generation)
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        core.writabilityChanged(context.channel.isWritable, generation: generation)
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        core.connectionEnded(generation: generation, error: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        core.errorCaught(error, generation: generation)
        context.close(promise: nil)
    }
}
