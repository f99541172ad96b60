import Logging
import NIOCore

/// Runs a ``SerialLinkStateMachine`` in a channel: deframer events in, encoded frames out, delegate calls, and a
/// timer for link keepalive.
final class SerialLinkHandler: ChannelDuplexHandler {
    typealias InboundIn = SerialDeframerEvent
    typealias OutboundIn = SerialLinkOutbound
    typealias OutboundOut = ByteBuffer

    private var stateMachine: SerialLinkStateMachine
    private(set) var counters = SerialLinkCounters()
    let connection: SerialLinkConnection
    private let delegate: any SerialLinkDelegate
    private var logger: Logger
    private let onLinkLost: (@Sendable (SerialLinkLossReason) -> Void)?
    private var timer: RepeatedTask?

    init(
        configuration: SerialLinkConfiguration,
        connection: SerialLinkConnection,
        delegate: any SerialLinkDelegate,
        logger: Logger,
        onLinkLost: (@Sendable (SerialLinkLossReason) -> Void)? = nil
    ) {
        self.stateMachine = SerialLinkStateMachine(configuration: configuration)
        self.connection = connection
        self.delegate = delegate
        self.logger = logger
        self.logger[metadataKey: "device.path"] = "\(connection.devicePath)"
        self.onLinkLost = onLinkLost
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive {
            self.startTimer(context: context)
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.startTimer(context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.timer?.cancel()
        self.timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.timer?.cancel()
        self.timer = nil
        self.perform(self.stateMachine.channelClosed(), context: context)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .frame(let frame):
            self.counters.framesReceived += 1
            self.perform(self.stateMachine.frameReceived(frame, now: context.eventLoop.now), context: context)
        case .consoleLine(let line):
            self.counters.consoleLines += 1
            // The delegate logs the line with the device's identity; logging it here too would print it twice.
            self.delegate.serialLink(self.connection, consoleLine: line)
        case .badFrame(let error):
            self.counters.count(error)
            self.logger.debug("Dropped bad frame", metadata: ["frame.error": "\(error)"])
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.delegate.serialLinkReadComplete(self.connection)
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Reading a tty whose device vanished (EIO on a pty master, ENXIO/EIO on an unplugged adapter) ends the link.
        if let error = error as? IOError, error.isPortGone {
            self.logger.debug("Serial port gone, closing", metadata: ["error.description": "\(error)"])
        } else {
            self.logger.warning("Serial port error, closing", metadata: ["error.description": "\(error)"])
        }
        context.close(promise: nil)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.unwrapOutboundIn(data) {
        case .mqttsn(let message, let forwarderNodeID):
            do {
                // No flush here: the gateway queues replies and flushes once per burst.
                let frame = try self.stateMachine.frameForMQTTSN(message, forwarderNodeID: forwarderNodeID)
                self.counters.framesSent += 1
                context.write(
                    self.wrapOutboundOut(frame.encoded(allocator: context.channel.allocator)),
                    promise: promise
                )
            } catch {
                promise?.fail(error)
            }
        case .reset(let mode):
            self.perform(self.stateMachine.resetRequested(mode, now: context.eventLoop.now), context: context)
            promise?.succeed(())
        }
    }

    private func startTimer(context: ChannelHandlerContext) {
        guard self.timer == nil, self.stateMachine.configuration.keepaliveSeconds > 0 else { return }
        // Ticks at a quarter of the interval (at most 1 s) so a ping or a loss is noticed promptly.
        let tick = min(
            .nanoseconds(self.stateMachine.configuration.effectiveKeepalive.nanoseconds / 4),
            TimeAmount.seconds(1)
        )
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        self.timer = context.eventLoop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { _ in
            let (handler, context) = loopBound.value
            handler.perform(handler.stateMachine.tick(now: context.eventLoop.now), context: context)
        }
    }

    /// Link control frames go out at once: a late PONG or HELLO-ACK costs the link.
    private func write(_ message: SerialLinkMessage, context: ChannelHandlerContext) {
        self.counters.framesSent += 1
        context.writeAndFlush(
            self.wrapOutboundOut(message.frame.encoded(allocator: context.channel.allocator)),
            promise: nil
        )
    }

    private func perform(_ action: SerialLinkStateMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case .send(let message):
            self.write(message, context: context)
        case .linkUp(let hello, let reply):
            self.write(reply, context: context)
            self.announceLinkUp(hello)
        case .relink(let hello, let reply):
            self.announceLinkDown(.deviceRestarted)
            self.write(reply, context: context)
            self.announceLinkUp(hello)
        case .reject(let reject, let reply):
            self.write(reply, context: context)
            self.logger.warning(
                "Refused device HELLO",
                metadata: ["link.reject.reason": "\(reject.reason)", "link.versions": "\(reject.gatewayVersions)"]
            )
            self.delegate.serialLink(self.connection, refused: reject)
        case .deliverMQTTSN(let message, let forwarderNodeID):
            self.delegate.serialLink(self.connection, received: message, forwarderNodeID: forwarderNodeID)
        case .dropMalformed(let error):
            self.counters.count(error)
            self.logger.debug("Dropped malformed frame payload", metadata: ["frame.error": "\(error)"])
        case .linkLost(let reason):
            self.announceLinkDown(reason)
        case .sendAndLinkLost(let message, let reason):
            self.write(message, context: context)
            self.announceLinkDown(reason)
        }
    }

    private func announceLinkUp(_ hello: DeviceHello) {
        self.logger[metadataKey: "device.hello_id"] = "\(hello.deviceIdentityHex)"
        self.logger.info(
            "Serial link up",
            metadata: [
                "device.firmware": "\(hello.firmwareName) \(hello.firmwareVersion)",
                "link.max_frame": "\(self.stateMachine.linkMaximumFrameSize ?? 0)",
            ]
        )
        if let frameSize = self.stateMachine.linkMaximumFrameSize {
            self.connection.linkUp(maximumMQTTSNMessageSize: frameSize - SerialFrame.overhead)
        }
        self.delegate.serialLink(self.connection, linkUp: hello)
    }

    private func announceLinkDown(_ reason: SerialLinkLossReason) {
        self.logger.info("Serial link lost", metadata: ["link.loss_reason": "\(reason)"])
        self.delegate.serialLink(self.connection, linkDown: reason)
        self.onLinkLost?(reason)
    }
}
