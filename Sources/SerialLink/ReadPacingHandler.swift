import NIOCore

/// The first handler of a paced serial port's pipeline: holds the channel's next `read()` until the
/// ``SerialReadPacer`` ticks. Writes pass straight through.
///
///     tty fd ⇄ ReadPacingHandler ⇄ ByteToMessageHandler(SerialFrameDecoder) ⇄ SerialLinkHandler
final class ReadPacingHandler: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let pacer: SerialReadPacer
    private var context: ChannelHandlerContext?
    private var isPaused = false

    init(pacer: SerialReadPacer) {
        self.pacer = pacer
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func read(context: ChannelHandlerContext) {
        guard context.eventLoop === self.pacer.eventLoop else {
            context.read()
            return
        }
        // Already waiting for the tick: that read covers this one.
        guard !self.isPaused else { return }
        self.isPaused = true
        self.pacer.pause(self)
    }

    func resumeReading() {
        self.isPaused = false
        self.context?.read()
    }
}
