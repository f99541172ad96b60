import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// Everything one client does, confined to its event loop: the state machine, the channel, the timers and the
/// promises. ``MQTTClient`` hops onto the event loop before calling in; the channel handler already runs there.
///
/// It is `@unchecked Sendable` only so that event-loop callbacks may capture it; every method asserts it runs on
/// ``eventLoop``, so no state is ever touched from two threads.
final class MQTTClientCore: @unchecked Sendable {
    let eventLoop: any EventLoop
    let configuration: MQTTClientConfiguration
    private let logger: Logger
    /// Every inbound message; the acknowledgement is non-nil only when the application acknowledges itself.
    private let deliveryHandler: @Sendable (MQTTMessage, MQTTInboundAcknowledgement?) -> Void
    private let connectionHandler: (@Sendable (MQTTConnectionEvent) -> Void)?

    private var stateMachine: MQTTConnectionStateMachine
    private var encoder: MQTTPacketEncoder
    private var channel: (any Channel)?
    /// The pipeline's last handler, through which packets are written once the channel is active.
    private var writer: MQTTConnectionHandler?
    /// Bumped for every connection attempt; events carrying an older number belong to a dead channel.
    private var generation = 0
    /// Why we are closing the channel ourselves, reported once it is closed.
    private var closeReason: MQTTConnectionError?
    private var connectPromise: EventLoopPromise<MQTTConnectResult>?
    private var disconnectPromises: [EventLoopPromise<Void>] = []
    private var connectTimeoutTask: Scheduled<Void>?
    private var keepAliveTask: RepeatedTask?
    private var reconnectTask: Scheduled<Void>?
    /// Packets written since the last flush; a read burst's acknowledgements leave together at its end.
    private var hasUnflushedWrites = false
    /// The channel's writability, readable from any thread for ``MQTTClient/isWritable``.
    let writability = NIOLockedValueBox(true)

    init(
        configuration: MQTTClientConfiguration,
        eventLoop: any EventLoop,
        logger: Logger,
        acknowledgesManually: Bool,
        deliveryHandler: @escaping @Sendable (MQTTMessage, MQTTInboundAcknowledgement?) -> Void,
        connectionHandler: (@Sendable (MQTTConnectionEvent) -> Void)?
    ) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        var logger = logger
        logger[metadataKey: "client.id"] = .string(configuration.clientID)
        self.logger = logger
        self.deliveryHandler = deliveryHandler
        self.connectionHandler = connectionHandler
        self.stateMachine = MQTTConnectionStateMachine(
            settings: .init(configuration, acknowledgesManually: acknowledgesManually)
        )
        self.encoder = MQTTPacketEncoder(protocolVersion: configuration.protocolVersion)
    }

    // MARK: Requests from MQTTClient

    func connect() -> EventLoopFuture<MQTTConnectResult> {
        eventLoop.assertInEventLoop()
        switch stateMachine.connect() {
        case .fail(let error):
            return eventLoop.makeFailedFuture(error)
        case .openConnection:
            let promise = eventLoop.makePromise(of: MQTTConnectResult.self)
            connectPromise = promise
            openConnection()
            return promise.futureResult
        }
    }

    func publish(_ message: MQTTMessage) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        publish(message, flush: true, promise: promise)
        return promise.futureResult
    }

    func publish(_ message: MQTTMessage, flush: Bool, promise: EventLoopPromise<Void>?) {
        eventLoop.assertInEventLoop()
        switch stateMachine.publish(message, promise: promise) {
        case .send(let packet, let completeOnWrite):
            if packet.message.qos == .atMostOnce, let channel, !channel.isWritable {
                // At most once: with the broker not reading, dropping now beats buffering without bound.
                logger.trace("mqtt.publish.congested", metadata: ["mqtt.topic": .string(message.topic)])
                completeOnWrite?.fail(MQTTClientError.congested)
                return
            }
            send(publish: packet, writePromise: completeOnWrite, flush: flush)
        case .queued:
            logger.trace("mqtt.publish.queued", metadata: ["mqtt.topic": .string(message.topic)])
        case .fail(let error):
            promise?.fail(error)
        }
    }

    func flush() {
        eventLoop.assertInEventLoop()
        guard hasUnflushedWrites else { return }
        hasUnflushedWrites = false
        if let writer { writer.flush() } else { channel?.flush() }
    }

    func subscribe(
        _ subscriptions: [MQTTSubscription],
        properties: MQTTProperties
    ) -> EventLoopFuture<[MQTTSubscribeResult]> {
        eventLoop.assertInEventLoop()
        let promise = eventLoop.makePromise(of: [MQTTSubscribeResult].self)
        switch stateMachine.subscribe(subscriptions, properties: properties, promise: promise) {
        case .send(let packet):
            send(request: packet)
        case .fail(let error):
            promise.fail(error)
        }
        return promise.futureResult
    }

    func unsubscribe(_ topicFilters: [String]) -> EventLoopFuture<Void> {
        eventLoop.assertInEventLoop()
        let promise = eventLoop.makePromise(of: Void.self)
        switch stateMachine.unsubscribe(topicFilters, promise: promise) {
        case .send(let packet):
            send(request: packet)
        case .fail(let error):
            promise.fail(error)
        }
        return promise.futureResult
    }

    func disconnect(graceful: Bool) -> EventLoopFuture<Void> {
        eventLoop.assertInEventLoop()
        let promise = eventLoop.makePromise(of: Void.self)
        switch stateMachine.disconnect(graceful: graceful) {
        case .sendDisconnectAndClose:
            disconnectPromises.append(promise)
            logger.debug("mqtt.disconnecting")
            if let channel = self.channel {
                let written = eventLoop.makePromise(of: Void.self)
                written.futureResult.whenComplete { _ in channel.close(promise: nil) }
                if !write(.disconnect(MQTTDisconnectPacket()), flush: true, promise: written) {
                    written.succeed()
                }
            }
        case .close:
            disconnectPromises.append(promise)
            logger.debug("mqtt.closing", metadata: ["mqtt.graceful": "\(graceful)"])
            // Without a channel yet, channelActive or the failed connect will find the machine closing.
            channel?.close(promise: nil)
        case .stopReconnecting(let action):
            reconnectTask?.cancel()
            reconnectTask = nil
            apply(action)
            promise.succeed()
        case .none:
            if stateMachine.state == .closing {
                disconnectPromises.append(promise)
            } else {
                promise.succeed()
            }
        }
        return promise.futureResult
    }

    // MARK: Connection

    private func openConnection() {
        generation += 1
        let generation = self.generation
        let configuration = self.configuration
        let sslContext = configuration.tls?.sslContext
        logger.debug(
            "mqtt.connecting",
            metadata: ["broker.host": .string(configuration.host), "broker.port": "\(configuration.port)"]
        )
        let decoder = MQTTPacketDecoder(
            protocolVersion: configuration.protocolVersion,
            maximumPacketSize: configuration.maximumPacketSize
        )
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            // Starts small and adapts: an idle session's read buffer is what it keeps between packets (NIO's
            // default starts at 2 KiB, 20% of an idle gateway session); a busy one grows it to 64 KiB.
            .channelOption(
                .recvAllocator,
                value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 256, maximum: 65536)
            )
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let sslContext {
                        let name = configuration.tls?.serverName ?? configuration.host
                        // SNI cannot carry an IP address; NIOSSL then checks the certificate against the peer's IP.
                        let isIPAddress = (try? SocketAddress(ipAddress: name, port: 0)) != nil
                        try pipeline.addHandler(
                            NIOSSLClientHandler(context: sslContext, serverHostname: isIPAddress ? nil : name)
                        )
                    }
                    try pipeline.addHandler(ByteToMessageHandler(decoder))
                    try pipeline.addHandler(MQTTConnectionHandler(core: self, generation: generation))
                }
            }
        // An IP address needs no resolver: thousands of sessions to one broker would otherwise each ask it.
        let connected: EventLoopFuture<any Channel>
        if let address = try? SocketAddress(ipAddress: configuration.host, port: configuration.port) {
            connected = bootstrap.connect(to: address)
        } else {
            connected = bootstrap.connect(host: configuration.host, port: configuration.port)
        }
        connected.whenComplete { [self] result in
            switch result {
            case .success(let channel):
                if generation == self.generation, self.channel == nil, channel.isActive {
                    self.channel = channel
                } else if generation != self.generation {
                    channel.close(promise: nil)
                }
            case .failure(let error):
                self.connectionEnded(generation: generation, error: Self.connectionError(for: error))
            }
        }
        connectTimeoutTask?.cancel()
        connectTimeoutTask = eventLoop.scheduleTask(in: configuration.connectTimeout) { [self] in
            guard generation == self.generation, stateMachine.isConnecting else { return }
            logger.debug("mqtt.connect.timeout")
            closeReason = closeReason ?? .timeout
            channel?.close(promise: nil)
        }
    }

    func channelActive(_ channel: any Channel, writer: MQTTConnectionHandler, generation: Int) {
        eventLoop.assertInEventLoop()
        guard generation == self.generation else { return }
        self.channel = channel
        self.writer = writer
        switch stateMachine.channelActive() {
        case .sendConnect:
            write(.connect(configuration.makeConnectPacket()), flush: true)
        case .close:
            channel.close(promise: nil)
        }
    }

    func errorCaught(_ error: any Error, generation: Int) {
        eventLoop.assertInEventLoop()
        guard generation == self.generation, closeReason == nil else { return }
        let mapped = Self.connectionError(for: error)
        logger.debug("mqtt.connection.error", metadata: ["error.description": "\(error)"])
        closeReason = mapped
    }

    func connectionEnded(generation: Int, error: MQTTConnectionError?) {
        eventLoop.assertInEventLoop()
        guard generation == self.generation else { return }
        // A new attempt must not inherit this one's events.
        self.generation += 1
        let reason = closeReason ?? error
        closeReason = nil
        channel = nil
        writer = nil
        connectTimeoutTask?.cancel()
        connectTimeoutTask = nil
        keepAliveTask?.cancel()
        keepAliveTask = nil
        encoder.maximumPacketSize = MQTTPacket.absoluteMaximumPacketSize
        hasUnflushedWrites = false
        writability.withLockedValue { $0 = true }
        logger.debug("mqtt.connection.closed", metadata: ["error.description": "\(reason.map { "\($0)" } ?? "none")"])
        apply(stateMachine.connectionClosed(error: reason))
    }

    private func apply(_ action: MQTTConnectionStateMachine.ClosedAction) {
        if let failure = action.failConnect, let promise = connectPromise {
            connectPromise = nil
            promise.fail(failure)
        }
        for (promise, error) in action.failedPublishes { promise.fail(error) }
        for promise in action.failedSubscribes { promise.fail(MQTTClientError.connectionLost) }
        for promise in action.failedUnsubscribes { promise.fail(MQTTClientError.connectionLost) }
        if let report = action.reportDisconnected {
            connectionHandler?(.disconnected(report))
        }
        if let attempt = action.reconnectAttempt, let policy = configuration.reconnect {
            let delay = policy.delay(forAttempt: attempt)
            logger.debug(
                "mqtt.reconnect.scheduled",
                metadata: ["mqtt.attempt": "\(attempt)", "mqtt.delay": "\(delay)"]
            )
            connectionHandler?(.reconnecting(attempt: attempt, delay: delay))
            reconnectTask = eventLoop.scheduleTask(in: delay) { [self] in
                reconnectTask = nil
                if case .openConnection = stateMachine.reconnectTimerFired() { openConnection() }
            }
        }
        if stateMachine.state == .idle {
            let promises = disconnectPromises
            disconnectPromises = []
            for promise in promises { promise.succeed() }
        }
    }

    /// The application acknowledges a delivery; the PUBACK / PUBREC waits for the next flush.
    func acknowledge(_ acknowledgement: MQTTInboundAcknowledgement) {
        eventLoop.assertInEventLoop()
        guard let packet = stateMachine.acknowledge(acknowledgement) else { return }
        _ = write(packet, flush: false)
    }

    // MARK: Inbound

    func packetReceived(_ packet: MQTTPacket, generation: Int) {
        eventLoop.assertInEventLoop()
        guard generation == self.generation else { return }
        if stateMachine.settings.partitionTimeout != nil {
            stateMachine.packetReceived(at: eventLoop.now)
        }
        if case .connack(let connack) = packet {
            connAckReceived(connack)
            return
        }
        switch stateMachine.packetReceived(packet) {
        case .none:
            break
        case .send(let response):
            write(response, flush: false)
        case .deliver(let message, let acknowledgement):
            deliveryHandler(message, nil)
            if let acknowledgement { write(acknowledgement, flush: false) }
        case .deliverAwaitingAcknowledgement(let message, let acknowledgement):
            deliveryHandler(message, acknowledgement)
        case .completePublish(let promise, let failure, let next, let failed):
            if let failure { promise?.fail(failure) } else { promise?.succeed() }
            for (promise, error) in failed { promise?.fail(error) }
            for packet in next { send(publish: packet, writePromise: nil, flush: false) }
        case .completeSubscribe(let promise, let results):
            promise.succeed(results)
        case .completeUnsubscribe(let promise, let failure):
            if let failure { promise.fail(failure) } else { promise.succeed() }
        case .failSubscribeAndClose(let promise, let error):
            promise.fail(error)
            close(with: error)
        case .close(let error):
            close(with: error)
        }
    }

    /// The end of a read burst: what its packets made us write leaves in one system call.
    func readComplete(generation: Int) {
        eventLoop.assertInEventLoop()
        guard generation == self.generation else { return }
        flush()
    }

    func writabilityChanged(_ isWritable: Bool, generation: Int) {
        eventLoop.assertInEventLoop()
        guard generation == self.generation else { return }
        writability.withLockedValue { $0 = isWritable }
        logger.debug("mqtt.writability.changed", metadata: ["mqtt.writable": "\(isWritable)"])
    }

    private func connAckReceived(_ connack: MQTTConnAckPacket) {
        switch stateMachine.connAckReceived(connack) {
        case .accepted(let result, let packets, let completed):
            connectTimeoutTask?.cancel()
            connectTimeoutTask = nil
            encoder.maximumPacketSize = stateMachine.peerMaximumPacketSize
            logger.debug("mqtt.connected", metadata: ["mqtt.session_present": "\(result.sessionPresent)"])
            if let promise = connectPromise {
                connectPromise = nil
                promise.succeed(result)
            }
            connectionHandler?(.connected(sessionPresent: result.sessionPresent))
            for packet in packets {
                if case .publish(let publish) = packet {
                    send(publish: publish, writePromise: nil, flush: false)
                } else {
                    write(packet, flush: false)
                }
            }
            flush()
            for (promise, error) in completed {
                if let error { promise?.fail(error) } else { promise?.succeed() }
            }
            startKeepAlive()
        case .refused(let error):
            logger.debug("mqtt.connect.refused", metadata: ["mqtt.return_code": "\(connack.returnCode)"])
            close(with: error)
        case .protocolViolation(let error):
            close(with: error)
        }
    }

    private func close(with error: MQTTConnectionError) {
        closeReason = closeReason ?? error
        channel?.close(promise: nil)
    }

    // MARK: Outbound

    private func send(publish packet: MQTTPublishPacket, writePromise: EventLoopPromise<Void>?, flush: Bool = true) {
        guard let channel else {
            // Lost between the state machine's decision and now; the session logic resends or fails it.
            writePromise?.fail(MQTTClientError.notConnected)
            return
        }
        var buffer = channel.allocator.buffer(capacity: packet.encodedSize(version: configuration.protocolVersion))
        do {
            try encoder.encode(.publish(packet), into: &buffer)
        } catch {
            let failure: MQTTClientError =
                (error as? MQTTEncodingError)?.code == MQTTEncodingError.packetTooLarge.code
                ? .packetTooLarge : .encodingFailed(error)
            if let packetID = packet.packetID, let promise = stateMachine.abandonPublish(packetID: packetID) {
                promise.fail(failure)
            }
            writePromise?.fail(failure)
            return
        }
        stateMachine.packetSent(at: .now())
        output(buffer, on: channel, flush: flush, promise: writePromise)
    }

    private func send(request packet: MQTTPacket) {
        let connected = channel != nil
        guard !write(packet, flush: true) else { return }
        let packetID: UInt16
        switch packet {
        case .subscribe(let subscribe): packetID = subscribe.packetID
        case .unsubscribe(let unsubscribe): packetID = unsubscribe.packetID
        default: return
        }
        let (subscribePromise, unsubscribePromise) = stateMachine.abandonRequest(packetID: packetID)
        let error: MQTTClientError = connected ? .packetTooLarge : .notConnected
        subscribePromise?.fail(error)
        unsubscribePromise?.fail(error)
    }

    /// Encodes and writes `packet`; false when there is no channel or it could not be encoded (then `promise`
    /// is left to the caller).
    @discardableResult
    private func write(_ packet: MQTTPacket, flush: Bool, promise: EventLoopPromise<Void>? = nil) -> Bool {
        guard let channel else { return false }
        var buffer = channel.allocator.buffer(capacity: 64)
        do {
            try encoder.encode(packet, into: &buffer)
        } catch {
            logger.debug(
                "mqtt.encode.failed",
                metadata: ["packet.type": .string(packet.name), "error.description": "\(error)"]
            )
            return false
        }
        logger.trace("mqtt.packet.sent", metadata: ["packet.type": .string(packet.name)])
        stateMachine.packetSent(at: .now())
        output(buffer, on: channel, flush: flush, promise: promise)
        return true
    }

    private func output(_ buffer: ByteBuffer, on channel: any Channel, flush: Bool, promise: EventLoopPromise<Void>?) {
        hasUnflushedWrites = !flush
        if let writer {
            writer.write(buffer, flush: flush, promise: promise)
        } else if flush {
            channel.writeAndFlush(buffer, promise: promise)
        } else {
            channel.write(buffer, promise: promise)
        }
    }

    private func startKeepAlive() {
        keepAliveTask?.cancel()
        guard let interval = stateMachine.keepAliveCheckInterval else { return }
        keepAliveTask = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in
            switch stateMachine.keepAliveTimerFired(now: .now()) {
            case .none:
                break
            case .sendPingReq:
                write(.pingreq, flush: true)
            case .closeDeadConnection:
                logger.debug("mqtt.keepalive.timeout")
                close(with: .keepAliveTimeout)
            }
        }
    }

    // MARK: Errors

    static func connectionError(for error: any Error) -> MQTTConnectionError {
        switch error {
        case let error as MQTTConnectionError:
            return error
        case let error as MQTTDecodingError:
            return .protocolViolation(error.description)
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError:
            return .tlsFailure(error)
        case ChannelError.connectTimeout:
            return .timeout
        case is NIOConnectionError, is IOError:
            return .connectionRefused(error)
        default:
            return .connectionClosed(error)
        }
    }
}
