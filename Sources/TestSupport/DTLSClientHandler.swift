import CSNDTLS
import NIOCore

/// A DTLS 1.2 client layer for a datagram channel talking to one server, for tests and the benchmark: datagrams
/// written below it are encrypted, datagrams read are decrypted. Uses the same OpenSSL shim as the gateway, in the
/// client role (interoperability with another implementation is what the `openssl s_client` tests show).
///
/// ```
/// MQTTSN client handler ⇅ plaintext envelopes ⇅ DTLSClientHandler ⇅ DTLS records ⇅ UDP socket
/// ```
public final class DTLSClientHandler: ChannelDuplexHandler {
    public typealias InboundIn = AddressedEnvelope<ByteBuffer>
    public typealias InboundOut = AddressedEnvelope<ByteBuffer>
    public typealias OutboundIn = AddressedEnvelope<ByteBuffer>
    public typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    /// How the client authenticates.
    public enum Credentials: Sendable {
        case preSharedKey(identity: String, key: [UInt8])
        case certificate(certificateFile: String, keyFile: String, caFile: String?)
    }

    public struct SetupError: Error, CustomStringConvertible {
        public var description: String
    }

    private let context: OpaquePointer
    private let session: OpaquePointer
    private let server: SocketAddress
    private let established: EventLoopPromise<Void>
    private var scratch = [UInt8](repeating: 0, count: 4096)
    private var timer: RepeatedTask?
    private var settled = false

    /// Succeeds when the handshake completed, fails when it failed.
    public var handshakeCompleted: EventLoopFuture<Void> { self.established.futureResult }

    public init(credentials: Credentials, server: SocketAddress, eventLoop: any EventLoop) throws {
        var error = [CChar](repeating: 0, count: 256)
        let context: OpaquePointer?
        switch credentials {
        case .preSharedKey(let identity, let key):
            context = snb_dtls_client_context_new(identity, key, key.count, nil, nil, nil, &error, error.count)
        case .certificate(let certificateFile, let keyFile, let caFile):
            context = snb_dtls_client_context_new(nil, nil, 0, certificateFile, keyFile, caFile, &error, error.count)
        }
        guard let context, let session = snb_dtls_client_session_new(context, 1400) else {
            throw SetupError(description: Self.text(error))
        }
        self.context = context
        self.session = session
        self.server = server
        self.established = eventLoop.makePromise(of: Void.self)
    }

    deinit {
        snb_dtls_session_free(self.session)
        snb_dtls_server_free(self.context)
        if !self.settled {
            self.established.fail(SetupError(description: "DTLS client closed before the handshake completed"))
        }
    }

    public func channelActive(context: ChannelHandlerContext) {
        _ = snb_dtls_session_start(self.session)
        self.sendOutgoing(context: context)
        context.flush()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        self.timer = context.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(50), delay: .milliseconds(50)) {
            _ in
            let (handler, context) = loopBound.value
            if snb_dtls_session_timeout_ms(handler.session) == 0 {
                snb_dtls_session_handle_timeout(handler.session)
                handler.sendOutgoing(context: context)
                context.flush()
            }
        }
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        self.timer?.cancel()
        self.timer = nil
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = self.unwrapInboundIn(data)
        let result = envelope.data.withUnsafeReadableBytes { bytes in
            snb_dtls_session_receive(self.session, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
        }
        if result == Int32(SNB_DTLS_ESTABLISHED), !self.settled {
            self.settled = true
            self.established.succeed()
        } else if result < 0, !self.settled {
            self.settled = true
            var message = [CChar](repeating: 0, count: 256)
            snb_dtls_session_error(self.session, &message, message.count)
            self.established.fail(SetupError(description: Self.text(message)))
        }
        self.sendOutgoing(context: context)
        context.flush()
        while snb_dtls_session_is_established(self.session) == 1 {
            let length = snb_dtls_session_read(self.session, &self.scratch, self.scratch.count)
            guard length > 0 else { break }
            var plaintext = context.channel.allocator.buffer(capacity: Int(length))
            plaintext.writeBytes(self.scratch[0..<Int(length)])
            context.fireChannelRead(
                self.wrapInboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: plaintext))
            )
        }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let envelope = self.unwrapOutboundIn(data)
        let written = envelope.data.withUnsafeReadableBytes { bytes in
            snb_dtls_session_write(self.session, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
        }
        guard written == 0 else {
            promise?.fail(SetupError(description: "DTLS association not established"))
            return
        }
        self.sendOutgoing(context: context)
        promise?.succeed()
    }

    private static func text(_ characters: [CChar]) -> String {
        String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func sendOutgoing(context: ChannelHandlerContext) {
        while true {
            let length = snb_dtls_session_next_outgoing(self.session, &self.scratch, self.scratch.count)
            guard length > 0 else { return }
            var datagram = context.channel.allocator.buffer(capacity: Int(length))
            datagram.writeBytes(self.scratch[0..<Int(length)])
            context.write(
                self.wrapOutboundOut(AddressedEnvelope(remoteAddress: self.server, data: datagram)),
                promise: nil
            )
        }
    }
}
