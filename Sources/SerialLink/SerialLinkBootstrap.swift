import Logging
import MQTTSN
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Opens serial links: a tty (or any descriptor, e.g. a pseudo-terminal) becomes a NIO channel with the deframer
/// and the link handler in its pipeline.
///
/// ```
///  tty fd -> NIOPipeBootstrap -> [ReadPacingHandler] -> ByteToMessageHandler(SerialFrameDecoder) -> SerialLinkHandler
///                                                          (raw mode: MQTTSNLengthPrefixedDecoder -> RawMQTTSNLinkHandler)
/// ```
///
/// With a ``readPacer``, busy ports are read in batches (see ``SerialReadPacer``).
public struct SerialLinkBootstrap: Sendable {
    public var group: any EventLoopGroup
    public var link: SerialLinkConfiguration
    public var port: SerialPortConfiguration
    public var mode: SerialLinkMode
    public var logger: Logger
    /// Paces reads when set; the group's loops must then be the pacer's loop (others are not paced).
    public var readPacer: SerialReadPacer?

    public init(
        group: any EventLoopGroup,
        link: SerialLinkConfiguration = SerialLinkConfiguration(),
        port: SerialPortConfiguration = SerialPortConfiguration(),
        mode: SerialLinkMode = .framed,
        logger: Logger = Logger(label: "snbridge.serial")
    ) {
        self.group = group
        self.link = link
        self.port = port
        self.mode = mode
        self.logger = logger
    }

    /// Opens the tty at `devicePath`, applies the reset policy, and starts the link.
    public func connect(devicePath: String, delegate: any SerialLinkDelegate) -> EventLoopFuture<SerialLinkConnection> {
        let eventLoop = self.group.next()
        let descriptor: CInt
        do {
            descriptor = try SerialPort.open(path: devicePath, configuration: self.port, logger: self.logger)
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        let pulse = self.port.resetPulse
        let logger = self.logger
        let ready: EventLoopFuture<Void>
        if self.port.resetPolicy == .onOpen {
            ready = SerialPort.pulse(
                pulse,
                descriptor: descriptor,
                path: devicePath,
                eventLoop: eventLoop,
                logger: logger
            )
        } else {
            ready = eventLoop.makeSucceededVoidFuture()
        }
        let onLinkLost: (@Sendable (SerialLinkLossReason) -> Void)?
        if self.port.resetPolicy != .onLinkLoss {
            onLinkLost = nil
        } else {
            onLinkLost = { reason in
                guard reason != .channelClosed else { return }
                logger.info("Resetting device after link loss", metadata: ["device.path": "\(devicePath)"])
                _ = SerialPort.pulse(
                    pulse,
                    descriptor: descriptor,
                    path: devicePath,
                    eventLoop: eventLoop,
                    logger: logger
                )
            }
        }
        let start = self
        return ready.flatMapError { error in
            // The pulse failed before NIO took the descriptor: it is still ours to close.
            _ = close(descriptor)
            return eventLoop.makeFailedFuture(error)
        }.flatMap {
            start.start(
                descriptor: descriptor,
                devicePath: devicePath,
                eventLoop: eventLoop,
                delegate: delegate,
                onLinkLost: onLinkLost
            )
        }
    }

    /// Starts a link on an already open descriptor (a pseudo-terminal in tests). The channel takes ownership; if
    /// starting fails, the descriptor is closed.
    public func connect(
        takingOwnershipOf descriptor: CInt,
        name: String,
        delegate: any SerialLinkDelegate
    ) -> EventLoopFuture<SerialLinkConnection> {
        self.start(
            descriptor: descriptor,
            devicePath: name,
            eventLoop: self.group.next(),
            delegate: delegate,
            onLinkLost: nil
        )
    }

    private func start(
        descriptor: CInt,
        devicePath: String,
        eventLoop: any EventLoop,
        delegate: any SerialLinkDelegate,
        onLinkLost: (@Sendable (SerialLinkLossReason) -> Void)?
    ) -> EventLoopFuture<SerialLinkConnection> {
        let link = self.link
        let mode = self.mode
        let logger = self.logger
        // The link maximum is enforced per message by the state machine; the deframer must still take any HELLO.
        let maximumFrameSize = max(link.maximumFrameSize, DeviceHello.largestFrameSize)
        let pacer = self.readPacer.flatMap { $0.canPace(baudRate: self.port.baudRate) ? $0 : nil }
        return NIOPipeBootstrap(group: eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let connection = SerialLinkConnection(devicePath: devicePath, channel: channel)
                    let operations = channel.pipeline.syncOperations
                    if let pacer {
                        try operations.addHandler(ReadPacingHandler(pacer: pacer))
                    }
                    switch mode {
                    case .framed:
                        try operations.addHandler(
                            ByteToMessageHandler(SerialFrameDecoder(maximumFrameSize: maximumFrameSize))
                        )
                        try operations.addHandler(
                            SerialLinkHandler(
                                configuration: link,
                                connection: connection,
                                delegate: delegate,
                                logger: logger,
                                onLinkLost: onLinkLost
                            )
                        )
                    case .rawMQTTSN:
                        try operations.addHandler(
                            ByteToMessageHandler(MQTTSNLengthPrefixedDecoder(maximumMessageLength: maximumFrameSize))
                        )
                        try operations.addHandler(
                            RawMQTTSNLinkHandler(connection: connection, delegate: delegate, logger: logger)
                        )
                    }
                }
            }
            .takingOwnershipOfDescriptor(inputOutput: descriptor)
            .flatMapError { error in
                // NIO leaves the descriptor to us when it fails to take it.
                _ = close(descriptor)
                return eventLoop.makeFailedFuture(error)
            }
            .flatMap { channel in
                // The handlers hold the connection the delegate sees; hand out that same object.
                channel.eventLoop.submit {
                    let operations = channel.pipeline.syncOperations
                    if let handler = try? operations.handler(type: SerialLinkHandler.self) {
                        return handler.connection
                    }
                    return try operations.handler(type: RawMQTTSNLinkHandler.self).connection
                }
            }
    }
}
