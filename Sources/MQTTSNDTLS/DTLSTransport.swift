import CSNDTLS
import Logging
import MQTTSN
import MQTTSNTransport
import NIOCore
import NIOPosix

/// MQTT-SN over DTLS 1.2 on one UDP socket: one association per peer address, pre-shared keys (identity = client
/// id) or X.509 certificates, through Debian's OpenSSL behind a small C shim (`CSNDTLS`).
///
/// ```
/// peer ──ClientHello──▶            (no state kept beyond one pending association, bounded in number)
///      ◀─HelloVerifyRequest(cookie = HMAC(secret, address, port))──   a spoofed source never sees it
///      ──ClientHello(cookie)──▶ ◀─ServerHello ... Finished──▶◀──      only now the full flight
///      ══ MQTT-SN datagrams as DTLS application data ══
/// ```
///
/// Datagrams that are not DTLS, and application data from a peer without an association, are dropped and counted
/// (`dtls_unauthenticated`); handshakes that fail or do not finish in time (a wrong PSK) are counted as
/// `dtls_handshake_failed`. The gateway sees decrypted MQTT-SN messages from `.udp(peer)` addresses and asks
/// ``authenticatedNames(of:)`` who the peer proved to be.
///
/// All state lives on the channel's event loop, which must be the gateway's: ``send(_:to:)`` and ``flush()`` are
/// called there.
public final class DTLSTransport: MQTTSNAuthenticatingTransport, @unchecked Sendable {
    public static let defaultPort = 8884

    public let name = "dtls"
    public let localAddress: SocketAddress

    private let channel: any Channel
    private let server: DTLSServerContext
    private let configuration: Configuration
    private let handler: any MQTTSNInboundHandler
    private let dropped: @Sendable (String) -> Void
    private let logger: Logger
    private var associations: [SocketAddress: DTLSAssociation] = [:]
    private var pendingHandshakes = 0
    private var timer: RepeatedTask?
    private var scratch: [UInt8]

    private init(
        channel: any Channel,
        localAddress: SocketAddress,
        server: DTLSServerContext,
        configuration: Configuration,
        handler: any MQTTSNInboundHandler,
        dropped: @escaping @Sendable (String) -> Void,
        logger: Logger
    ) {
        self.channel = channel
        self.localAddress = localAddress
        self.server = server
        self.configuration = configuration
        self.handler = handler
        self.dropped = dropped
        self.logger = logger
        self.scratch = [UInt8](repeating: 0, count: max(configuration.maximumDatagramSize, configuration.mtu) + 512)
    }

    deinit {
        // Every OpenSSL session goes before the context they were made from.
        self.associations.removeAll()
    }

    /// Binds a DTLS listener on `eventLoop` (the gateway's). `dropped` is called on that loop with the reason of
    /// every datagram dropped (`dtls_unauthenticated`, `dtls_handshake_failed`, `dtls_handshake_limit`).
    public static func bind(
        configuration: Configuration,
        on eventLoop: any EventLoop,
        handler: any MQTTSNInboundHandler,
        dropped: @escaping @Sendable (String) -> Void,
        logger: Logger
    ) -> EventLoopFuture<DTLSTransport> {
        let server: DTLSServerContext
        do {
            server = try DTLSServerContext(configuration)
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        let transportPromise = eventLoop.makePromise(of: DTLSTransport.self)
        var bootstrap = DatagramBootstrap(group: eventLoop)
        if configuration.host.contains(":") {
            bootstrap = bootstrap.channelOption(
                ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_v6only),
                value: 1
            )
        }
        bootstrap =
            bootstrap
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelOption(.datagramVectorReadMessageCount, value: 16)
            .channelOption(
                .recvAllocator,
                value: FixedSizeRecvByteBufferAllocator(capacity: (configuration.maximumDatagramSize + 512) * 16)
            )
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        DTLSTransportInboundHandler(transport: transportPromise.futureResult)
                    )
                }
            }
        return bootstrap.bind(host: configuration.host, port: configuration.port).flatMapThrowing { channel in
            guard let localAddress = channel.localAddress else {
                channel.close(promise: nil)
                throw DTLSTransportError.noLocalAddress
            }
            let transport = DTLSTransport(
                channel: channel,
                localAddress: localAddress,
                server: server,
                configuration: configuration,
                handler: handler,
                dropped: dropped,
                logger: logger
            )
            transport.timer = eventLoop.scheduleRepeatedTask(
                initialDelay: .milliseconds(100),
                delay: .milliseconds(100)
            ) { [weak transport] _ in
                transport?.tick(now: eventLoop.now)
            }
            transportPromise.succeed(transport)
            return transport
        }.flatMapErrorThrowing { error in
            transportPromise.fail(error)
            throw error
        }
    }

    // MARK: Inbound

    /// Whether a datagram is a DTLS 1.x handshake record (content type 22, version 0xFEFF or 0xFEFD): the only thing
    /// a peer without an association may send.
    private static func isHandshakeRecord(_ datagram: ByteBuffer) -> Bool {
        guard let header = datagram.getBytes(at: datagram.readerIndex, length: 3) else { return false }
        return header[0] == 22 && header[1] == 0xFE && (header[2] == 0xFF || header[2] == 0xFD)
    }

    func datagramReceived(_ envelope: AddressedEnvelope<ByteBuffer>) {
        let now = self.channel.eventLoop.now
        let peer = envelope.remoteAddress
        let association: DTLSAssociation
        if let existing = self.associations[peer] {
            association = existing
        } else {
            guard Self.isHandshakeRecord(envelope.data) else {
                self.dropped("dtls_unauthenticated")
                return
            }
            guard self.pendingHandshakes < self.configuration.maximumPendingHandshakes else {
                self.dropped("dtls_handshake_limit")
                return
            }
            guard
                let created = DTLSAssociation(
                    server: self.server.pointer,
                    peer: peer,
                    mtu: self.configuration.mtu,
                    now: now
                )
            else {
                self.dropped("dtls_handshake_failed")
                return
            }
            association = created
            self.associations[peer] = created
            self.pendingHandshakes += 1
        }
        association.lastHeard = now
        let result = envelope.data.withUnsafeReadableBytes { bytes in
            snb_dtls_session_receive(
                association.session,
                bytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                bytes.count
            )
        }
        switch result {
        case Int32(SNB_DTLS_ESTABLISHED):
            self.pendingHandshakes -= 1
            association.names = association.readNames()
            self.logger.info(
                "DTLS association established",
                metadata: ["peer.address": "\(peer)", "dtls.names": "\(association.names ?? [])"]
            )
        case Int32(SNB_DTLS_OK):
            break
        default:
            self.fail(association, peer: peer, reason: "dtls_handshake_failed")
            return
        }
        self.sendOutgoing(of: association, to: peer)
        guard association.isEstablished else { return }
        while true {
            let length = snb_dtls_session_read(association.session, &self.scratch, self.scratch.count)
            if length == 0 { break }
            if length < 0 {
                self.forget(peer, association)
                self.logger.debug(
                    "DTLS association closed",
                    metadata: ["peer.address": "\(peer)", "error.description": "\(association.lastError)"]
                )
                return
            }
            var message = self.channel.allocator.buffer(capacity: Int(length))
            message.writeBytes(self.scratch[0..<Int(length)])
            self.handler.receive(message, from: .udp(peer), via: self)
        }
        // Alerts and retransmitted Finished messages may be answered while reading.
        self.sendOutgoing(of: association, to: peer)
    }

    func readComplete() {
        self.handler.receiveBurstComplete(via: self)
        self.channel.flush()
    }

    private func fail(_ association: DTLSAssociation, peer: SocketAddress, reason: String) {
        self.dropped(reason)
        self.logger.notice(
            "DTLS handshake failed",
            metadata: ["peer.address": "\(peer)", "error.description": "\(association.lastError)"]
        )
        self.forget(peer, association)
    }

    private func forget(_ peer: SocketAddress, _ association: DTLSAssociation) {
        if !association.isEstablished {
            self.pendingHandshakes -= 1
        }
        self.associations.removeValue(forKey: peer)
    }

    private func sendOutgoing(of association: DTLSAssociation, to peer: SocketAddress) {
        while true {
            let length = snb_dtls_session_next_outgoing(association.session, &self.scratch, self.scratch.count)
            guard length > 0 else { return }
            var datagram = self.channel.allocator.buffer(capacity: Int(length))
            datagram.writeBytes(self.scratch[0..<Int(length)])
            self.channel.write(AddressedEnvelope(remoteAddress: peer, data: datagram), promise: nil)
        }
    }

    /// Handshake retransmissions, and the end of handshakes that take too long and of associations gone quiet.
    private func tick(now: NIODeadline) {
        var expired: [(SocketAddress, DTLSAssociation)] = []
        for (peer, association) in self.associations {
            if association.isEstablished {
                if now - association.lastHeard > self.configuration.idleTimeout {
                    expired.append((peer, association))
                }
                continue
            }
            if now - association.createdAt > self.configuration.handshakeTimeout {
                expired.append((peer, association))
                continue
            }
            if snb_dtls_session_timeout_ms(association.session) == 0 {
                snb_dtls_session_handle_timeout(association.session)
                self.sendOutgoing(of: association, to: peer)
            }
        }
        for (peer, association) in expired {
            if !association.isEstablished {
                self.dropped("dtls_handshake_failed")
                self.logger.notice("DTLS handshake timed out", metadata: ["peer.address": "\(peer)"])
            }
            self.forget(peer, association)
        }
        self.channel.flush()
    }

    // MARK: MQTTSNTransport

    public func canReach(_ address: MQTTSNClientAddress) -> Bool {
        guard let peer = address.socketAddress else { return false }
        return self.associations[peer]?.isEstablished == true
    }

    /// Sends to an established peer; a node behind a forwarder that speaks DTLS gets the message in a Forwarder
    /// Encapsulation with its wireless node id, inside the forwarder's association.
    public func send(_ message: ByteBuffer, to address: MQTTSNClientAddress) {
        let datagram: ByteBuffer
        let peer: SocketAddress
        switch address {
        case .udp(let address):
            (datagram, peer) = (message, address)
        case .udpForwarded(let forwarder, let wirelessNodeID):
            (datagram, peer) = (MQTTSNForwarderEncapsulation.wrap(message, wirelessNodeID: wirelessNodeID), forwarder)
        case .serial:
            return
        }
        guard let association = self.associations[peer], association.isEstablished else {
            return
        }
        let written = datagram.withUnsafeReadableBytes { bytes in
            snb_dtls_session_write(
                association.session,
                bytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                bytes.count
            )
        }
        guard written == 0 else { return }
        self.sendOutgoing(of: association, to: peer)
    }

    public func flush() {
        self.channel.flush()
    }

    public func authenticatedNames(of address: MQTTSNClientAddress) -> [String]? {
        guard case .udp(let peer) = address, let names = self.associations[peer]?.names, !names.isEmpty else {
            return nil
        }
        return names
    }

    public func close() -> EventLoopFuture<Void> {
        self.channel.eventLoop.execute {
            self.timer?.cancel()
            self.timer = nil
        }
        return self.channel.close().flatMapError { error in
            if let channelError = error as? ChannelError, channelError == .alreadyClosed {
                return self.channel.eventLoop.makeSucceededVoidFuture()
            }
            return self.channel.eventLoop.makeFailedFuture(error)
        }
    }
}
