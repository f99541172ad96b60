import MQTTSN
import NIOCore
import NIOPosix
import TestSupport

/// An MQTT-SN client over a real UDP socket on loopback, built on the MQTTSN codec, for end-to-end tests.
///
/// Received packets queue in an inbox; ``receive(timeout:)`` waits for the next one with a deadline, so tests wait
/// for real events and fail with ``MQTTSNTestClientError/timedOut`` instead of sleeping.
final class MQTTSNTestClient: Sendable {
    let channel: any Channel
    let gateway: SocketAddress
    private let inbox: MQTTSNTestClientInbox

    private init(channel: any Channel, gateway: SocketAddress, inbox: MQTTSNTestClientInbox) {
        self.channel = channel
        self.gateway = gateway
        self.inbox = inbox
    }

    /// A client bound to a free loopback port, on `host` when given (any 127.0.0.0/8 address works on Linux, so
    /// tests can play clients from different sources).
    static func make(
        gateway: SocketAddress,
        group: any EventLoopGroup,
        host: String? = nil,
        port: Int = 0,
        dtls: DTLSClientHandler.Credentials? = nil
    ) async throws -> MQTTSNTestClient {
        let eventLoop = group.next()
        let inbox = MQTTSNTestClientInbox(eventLoop: eventLoop)
        let handshake = eventLoop.makePromise(of: Void.self)
        let channel = try await DatagramBootstrap(group: eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let dtls {
                        let layer = try DTLSClientHandler(
                            credentials: dtls,
                            server: gateway,
                            eventLoop: channel.eventLoop
                        )
                        handshake.completeWith(layer.handshakeCompleted)
                        try channel.pipeline.syncOperations.addHandler(layer)
                    } else {
                        handshake.succeed()
                    }
                    try channel.pipeline.syncOperations.addHandler(MQTTSNTestClientHandler(inbox: inbox))
                }
            }
            .bind(host: host ?? (gateway.protocol == .inet6 ? "::1" : "127.0.0.1"), port: port).get()
        do {
            // A DTLS client speaks only once its handshake completed (bounded: a wrong key never completes).
            let timeout = eventLoop.scheduleTask(in: .seconds(5)) { handshake.fail(MQTTSNTestClientError.timedOut) }
            defer { timeout.cancel() }
            try await handshake.futureResult.get()
        } catch {
            try? await channel.close()
            throw error
        }
        return MQTTSNTestClient(channel: channel, gateway: gateway, inbox: inbox)
    }

    var localAddress: SocketAddress? { self.channel.localAddress }

    func send(_ packet: MQTTSNPacket) async throws {
        var buffer = ByteBuffer()
        try packet.encode(into: &buffer)
        try await self.sendRaw(buffer)
    }

    func sendRaw(_ bytes: ByteBuffer) async throws {
        try await self.channel.writeAndFlush(AddressedEnvelope(remoteAddress: self.gateway, data: bytes)).get()
    }

    /// The next packet from the gateway.
    func receive(timeout: TimeAmount = .seconds(5)) async throws -> MQTTSNPacket {
        try await self.inbox.next(timeout: timeout).get()
    }

    /// Receives until `match` returns a value, skipping packets it returns `nil` for.
    func receive<Value>(
        timeout: TimeAmount = .seconds(5),
        _ match: (MQTTSNPacket) -> Value?
    ) async throws -> Value {
        let deadline = NIODeadline.now() + timeout
        while true {
            let remaining = deadline - .now()
            guard remaining > .zero else {
                throw MQTTSNTestClientError.timedOut
            }
            if let value = match(try await self.receive(timeout: remaining)) {
                return value
            }
        }
    }

    /// Whether nothing arrives within `window` (for asserting that something is *not* sent, e.g. a duplicate).
    func receiveNothing(within window: TimeAmount) async throws -> Bool {
        do {
            let packet = try await self.receive(timeout: window)
            _ = packet
            return false
        } catch MQTTSNTestClientError.timedOut {
            return true
        }
    }

    /// CONNECT (answering the will exchange when `will` is given) and the CONNACK return code.
    func connect(
        clientID: String,
        keepAlive: UInt16 = 60,
        cleanSession: Bool = true,
        will: (topic: String, message: String, qos: MQTTSNQoS)? = nil,
        timeout: TimeAmount = .seconds(10)
    ) async throws -> MQTTSNReturnCode {
        try await self.send(
            .connect(
                MQTTSNConnect(will: will != nil, cleanSession: cleanSession, duration: keepAlive, clientID: clientID)
            )
        )
        if let will {
            _ = try await self.receive(timeout: timeout) { packet -> Bool? in
                if case .willTopicRequest = packet { return true }
                return nil
            }
            try await self.send(.willTopic(MQTTSNWillTopic(will: MQTTSNWill(qos: will.qos, topicName: will.topic))))
            _ = try await self.receive(timeout: timeout) { packet -> Bool? in
                if case .willMessageRequest = packet { return true }
                return nil
            }
            try await self.send(.willMessage(MQTTSNWillMessage(message: ByteBuffer(string: will.message))))
        }
        return try await self.receive(timeout: timeout) { packet in
            if case .connectAck(let ack) = packet { return ack.returnCode }
            return nil
        }
    }

    /// REGISTER and the topic id from REGACK.
    func register(_ topicName: String, messageID: UInt16) async throws -> MQTTSNRegisterAck {
        try await self.send(.register(MQTTSNRegister(messageID: messageID, topicName: topicName)))
        return try await self.receive { packet in
            if case .registerAck(let ack) = packet, ack.messageID == messageID { return ack }
            return nil
        }
    }

    /// SUBSCRIBE and its SUBACK.
    func subscribe(_ topic: MQTTSNTopic, qos: MQTTSNQoS, messageID: UInt16) async throws -> MQTTSNSubscribeAck {
        try await self.send(.subscribe(MQTTSNSubscribe(qos: qos, messageID: messageID, topic: topic)))
        return try await self.receive { packet in
            if case .subscribeAck(let ack) = packet, ack.messageID == messageID { return ack }
            return nil
        }
    }

    func close() async {
        try? await self.channel.close().get()
    }
}
