import MQTTSN
import NIOCore
import NIOPosix
import TestSupport

/// An MQTT-SN client on its own connected UDP socket (the bridge keys sessions by address), driven by the event
/// loop it was created on.
///
/// The hot path allocates nothing per message: the PUBLISH is encoded once per run, and each send stamps message id,
/// sequence and send time into that same buffer before writing it. A write on a connected datagram socket completes
/// within `writeAndFlush`, so the buffer is uniquely referenced again before the next stamp and is never copied.
final class SNLoadClient: LoadPublisher, DatagramReceiving, @unchecked Sendable {
    let index: Int
    let channel: any Channel
    /// `bench-<index>` on plain UDP, ``dtlsClientID(_:)`` over DTLS (the PSK identity must be the client id).
    let clientID: String
    let counters = PublishCounters()
    var eventLoop: any EventLoop { channel.eventLoop }

    // Everything below is confined to the event loop.
    private var packet = ByteBuffer()
    private var payloadStart = 0
    private var messageIDOffset = 0
    private var topicID: UInt16 = 0
    private var nextMessageID: UInt16 = 0
    private var sequence: UInt32 = 0
    private var run: PublishRun?
    private var credit: DeliveryCredit?
    private var sent = 0
    private var completed = 0
    private var sending = false
    private var pendingConnectAck: EventLoopPromise<MQTTSNReturnCode>?
    private var pendingRegisterAck: (messageID: UInt16, promise: EventLoopPromise<MQTTSNRegisterAck>)?
    private var pendingSubscribeAck: (messageID: UInt16, promise: EventLoopPromise<MQTTSNSubscribeAck>)?
    /// Where the broker's messages to this device are counted (the downlink scenario); they are acknowledged either way.
    var downlink: DownlinkReceiver?

    private init(index: Int, channel: any Channel, clientID: String) {
        self.index = index
        self.channel = channel
        self.clientID = clientID
    }

    static func dtlsClientID(_ index: Int) -> String { "bench-dtls-\(index)" }

    /// A client on a fresh loopback socket connected to the bridge at `gateway`.
    static func make(index: Int, gateway: SocketAddress, on eventLoop: any EventLoop) async throws -> SNLoadClient {
        let handler = BridgeDatagramHandler<SNLoadClient>()
        let channel = try await DatagramBootstrap(group: eventLoop)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 64))
            .channelOption(.maxMessagesPerRead, value: 16)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(to: gateway)
            .get()
        let client = SNLoadClient(index: index, channel: channel, clientID: "bench-\(index)")
        try await eventLoop.submit { handler.receiver = client }.get()
        return client
    }

    /// A client on a fresh loopback socket talking DTLS 1.2 (pre-shared key `key`, identity ``dtlsClientID(_:)``)
    /// to the bridge's DTLS listener at `gateway`, once its handshake completed.
    static func makeDTLS(
        index: Int,
        gateway: SocketAddress,
        key: [UInt8],
        on eventLoop: any EventLoop
    ) async throws
        -> SNLoadClient
    {
        let handler = BridgeDatagramHandler<SNLoadClient>()
        let handshake = eventLoop.makePromise(of: Void.self)
        let identity = Self.dtlsClientID(index)
        let channel = try await DatagramBootstrap(group: eventLoop)
            .channelOption(.maxMessagesPerRead, value: 16)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let layer = try DTLSClientHandler(
                        credentials: .preSharedKey(identity: identity, key: key),
                        server: gateway,
                        eventLoop: channel.eventLoop
                    )
                    handshake.completeWith(layer.handshakeCompleted)
                    try channel.pipeline.syncOperations.addHandler(layer)
                    try channel.pipeline.syncOperations.addHandler(DatagramEnvelopeAdapter(remote: gateway))
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        do {
            try await handshake.futureResult.withTimeout(.seconds(10), on: eventLoop).get()
        } catch {
            try? await channel.close()
            throw error
        }
        let client = SNLoadClient(index: index, channel: channel, clientID: identity)
        try await eventLoop.submit { handler.receiver = client }.get()
        return client
    }
    var topicName: String { "bench/c/\(index)" }

    /// CONNECT and REGISTER, each retried after `timeout` (UDP may drop them under load) up to `attempts` times.
    /// With `cleanSession` false the bridge keeps (and, with its store, stores) the session.
    func connectAndRegister(
        keepAlive: UInt16,
        timeout: TimeAmount,
        attempts: Int,
        cleanSession: Bool = true
    ) async throws {
        let connectCode = try await retrying(attempts: attempts) {
            self.eventLoop.flatSubmit {
                let promise = self.eventLoop.makePromise(of: MQTTSNReturnCode.self)
                self.pendingConnectAck?.fail(BenchError.superseded)
                self.pendingConnectAck = promise
                self.sendPacket(
                    .connect(MQTTSNConnect(cleanSession: cleanSession, duration: keepAlive, clientID: self.clientID))
                )
                return promise.futureResult.withTimeout(timeout, on: self.eventLoop)
            }
        }
        guard connectCode == .accepted else { throw BenchError.refused("CONNECT of \(clientID): \(connectCode)") }
        let ack = try await retrying(attempts: attempts) {
            self.eventLoop.flatSubmit {
                let promise = self.eventLoop.makePromise(of: MQTTSNRegisterAck.self)
                self.nextMessageID = 1
                self.pendingRegisterAck?.promise.fail(BenchError.superseded)
                self.pendingRegisterAck = (1, promise)
                self.sendPacket(.register(MQTTSNRegister(messageID: 1, topicName: self.topicName)))
                return promise.futureResult.withTimeout(timeout, on: self.eventLoop)
            }
        }
        guard ack.returnCode == .accepted else {
            throw BenchError.refused("REGISTER of \(clientID): \(ack.returnCode)")
        }
        try await eventLoop.submit { self.topicID = ack.topicID }.get()
    }

    /// SUBSCRIBE to `topicName` at QoS 1, retried like ``connectAndRegister(keepAlive:timeout:attempts:cleanSession:)``.
    func subscribe(topicName: String, timeout: TimeAmount, attempts: Int) async throws {
        let ack = try await retrying(attempts: attempts) {
            self.eventLoop.flatSubmit {
                let promise = self.eventLoop.makePromise(of: MQTTSNSubscribeAck.self)
                self.pendingSubscribeAck?.promise.fail(BenchError.superseded)
                self.pendingSubscribeAck = (2, promise)
                self.sendPacket(.subscribe(MQTTSNSubscribe(qos: .atLeastOnce, messageID: 2, topic: .name(topicName))))
                return promise.futureResult.withTimeout(timeout, on: self.eventLoop)
            }
        }
        guard ack.returnCode == .accepted else {
            throw BenchError.refused("SUBSCRIBE of \(clientID): \(ack.returnCode)")
        }
    }

    private func retrying<Value: Sendable>(
        attempts: Int,
        _ body: @escaping @Sendable () -> EventLoopFuture<Value>
    ) async throws -> Value {
        var lastError: any Error = BenchError.timedOut("no attempt made")
        for _ in 0..<max(1, attempts) {
            do {
                return try await body().get()
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    func begin(_ run: PublishRun, credit: DeliveryCredit) {
        self.run = run
        self.credit = credit
        self.sent = 0
        self.completed = 0
        self.sequence = 0
        let template = BenchPayload.template(size: run.payloadSize, runID: run.runID, clientIndex: UInt32(index))
        let publish = MQTTSNPublish(
            qos: run.qos == 1 ? .atLeastOnce : .atMostOnce,
            topicID: topicID,
            messageID: run.qos == 1 ? 1 : 0,
            payload: ByteBuffer(bytes: template)
        )
        packet = ByteBuffer()
        try? MQTTSNPacket.publish(publish).encode(into: &packet)
        payloadStart = packet.writerIndex - template.count
        messageIDOffset = payloadStart - 2
        sending = true
        if run.mode == .closedLoop { fill() }
    }

    func end() {
        sending = false
    }

    /// Sends until the window is full (closed loop).
    func fill() {
        guard sending else { return }
        while sendOne() {}
    }

    func sendOne() -> Bool {
        guard sending, let run else { return false }
        guard run.allowsAnother(sent: sent, completed: completed, credit: credit) else { return false }
        if run.qos == 1 {
            nextMessageID = nextMessageID == .max ? 1 : nextMessageID + 1
            packet.setInteger(nextMessageID, at: messageIDOffset)
        }
        BenchPayload.stamp(
            &packet,
            payloadStart: payloadStart,
            sequence: sequence,
            sendTime: MonotonicClock.nanoseconds()
        )
        sequence &+= 1
        sent += 1
        counters.sent.add(1, ordering: .relaxed)
        channel.writeAndFlush(packet, promise: nil)
        return true
    }

    /// DISCONNECT without a duration: a clean-session-off session is then kept by the bridge for the next CONNECT.
    func disconnect() async {
        try? await self.eventLoop.submit { self.sendPacket(.disconnect(MQTTSNDisconnect())) }.get()
    }

    /// Closes the socket; the bridge is stopped afterwards, so no DISCONNECT is needed.
    func close() async {
        try? await channel.close()
    }

    private func sendPacket(_ packet: MQTTSNPacket) {
        var buffer = channel.allocator.buffer(capacity: 64)
        try? packet.encode(into: &buffer)
        channel.writeAndFlush(buffer, promise: nil)
    }

    /// Called by the handler on the event loop for every datagram from the bridge.
    func received(_ datagram: ByteBuffer) {
        var buffer = datagram
        guard let packet = try? MQTTSNPacket.decode(from: &buffer) else { return }
        switch packet {
        case .publishAck(let ack):
            completed += 1
            if ack.returnCode == .accepted {
                counters.acknowledged.add(1, ordering: .relaxed)
            } else {
                counters.rejected.add(1, ordering: .relaxed)
            }
            if run?.mode == .closedLoop { fill() }
        case .connectAck(let ack):
            pendingConnectAck?.succeed(ack.returnCode)
            pendingConnectAck = nil
        case .registerAck(let ack):
            if let pending = pendingRegisterAck, pending.messageID == ack.messageID {
                pending.promise.succeed(ack)
                pendingRegisterAck = nil
            }
        case .subscribeAck(let ack):
            if let pending = pendingSubscribeAck, pending.messageID == ack.messageID {
                pending.promise.succeed(ack)
                pendingSubscribeAck = nil
            }
        case .publish(let publish):
            if publish.qos == .atLeastOnce {
                sendPacket(
                    .publishAck(
                        MQTTSNPublishAck(topicID: publish.topicID, messageID: publish.messageID, returnCode: .accepted)
                    )
                )
            }
            downlink?.receive(publish.payload)
        case .register(let register):
            sendPacket(
                .registerAck(
                    MQTTSNRegisterAck(topicID: register.topicID, messageID: register.messageID, returnCode: .accepted)
                )
            )
        default:
            break
        }
    }
}
