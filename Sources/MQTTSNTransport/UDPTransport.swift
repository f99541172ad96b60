import Logging
import MQTTSN
import NIOCore
import NIOPosix

/// One UDP listener carrying MQTT-SN datagrams (IPv4 or IPv6, depending on the host it is bound to).
///
/// A gateway with several listeners (e.g. `0.0.0.0:1884` and `[::]:1884`) runs one `UDPTransport` per listener, so
/// that a reply always leaves through the socket its request came in on.
///
/// Reads are batched: on Linux, up to ``Configuration/vectorReadMessageCount`` datagrams are read with one
/// `recvmmsg`, and the handler learns about the end of each burst through
/// ``MQTTSNInboundHandler/receiveBurstComplete(via:)`` so that replies are flushed once per burst.
public final class UDPTransport: MQTTSNTransport {
    /// The IANA-registered MQTT-SN port, used when a listener names none.
    public static let defaultPort = 1884

    /// Tuning of a listener.
    public struct Configuration: Sendable, Hashable {
        /// The host to bind, e.g. `0.0.0.0`, `::` or `127.0.0.1`.
        public var host: String
        /// The port to bind; 0 picks a free port (see ``UDPTransport/localAddress``).
        public var port: Int
        /// The largest datagram read in full; longer ones arrive truncated and fail to decode. Defaults to 2048.
        public var maximumDatagramSize: Int
        /// How many datagrams one read system call may return. Defaults to 32.
        public var vectorReadMessageCount: Int
        /// The socket receive buffer asked of the kernel, so that a burst of clients connecting at once is not
        /// dropped. The kernel caps it at `net.core.rmem_max`. Defaults to 4 MiB.
        public var receiveBufferSize: Int

        public init(
            host: String,
            port: Int = UDPTransport.defaultPort,
            maximumDatagramSize: Int = 2048,
            vectorReadMessageCount: Int = 32,
            receiveBufferSize: Int = 4 << 20
        ) {
            self.host = host
            self.port = port
            self.maximumDatagramSize = maximumDatagramSize
            self.vectorReadMessageCount = vectorReadMessageCount
            self.receiveBufferSize = receiveBufferSize
        }
    }

    public let name = "udp"

    /// The address the listener is bound to (with the real port when 0 was asked for).
    public let localAddress: SocketAddress

    private let channel: any Channel

    private init(channel: any Channel, localAddress: SocketAddress) {
        self.channel = channel
        self.localAddress = localAddress
    }

    /// Binds a listener on `eventLoop` and delivers what it reads to `handler`.
    ///
    /// Bind the listener on the gateway's own event loop: then inbound datagrams and outbound replies need no hop.
    public static func bind(
        configuration: Configuration,
        on eventLoop: any EventLoop,
        handler: any MQTTSNInboundHandler,
        logger: Logger
    ) -> EventLoopFuture<UDPTransport> {
        let transportPromise = eventLoop.makePromise(of: UDPTransport.self)
        // No SO_REUSEADDR: UDP has no TIME_WAIT to wait out, and with it a second gateway could silently bind the
        // same port and steal datagrams. SO_BROADCAST because ADVERTISE may go to a broadcast address.
        var bootstrap = DatagramBootstrap(group: eventLoop)
        if configuration.host.contains(":") {
            // IPv6 only, so `[::]:1884` and `0.0.0.0:1884` can be bound side by side (the default listeners).
            bootstrap = bootstrap.channelOption(
                ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_v6only),
                value: 1
            )
        }
        bootstrap =
            bootstrap
            .channelOption(.socketOption(.so_broadcast), value: 1)
            .channelOption(.socketOption(.so_rcvbuf), value: .init(configuration.receiveBufferSize))
            .channelOption(.datagramVectorReadMessageCount, value: configuration.vectorReadMessageCount)
            .channelOption(
                .recvAllocator,
                value: FixedSizeRecvByteBufferAllocator(
                    capacity: configuration.maximumDatagramSize * configuration.vectorReadMessageCount
                )
            )
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        UDPTransportInboundHandler(transport: transportPromise.futureResult, handler: handler)
                    )
                }
            }
        return bootstrap.bind(host: configuration.host, port: configuration.port).flatMapThrowing { channel in
            guard let localAddress = channel.localAddress else {
                channel.close(promise: nil)
                throw UDPTransportError.noLocalAddress
            }
            let transport = UDPTransport(channel: channel, localAddress: localAddress)
            logger.debug(
                "MQTT-SN UDP listener bound",
                metadata: ["listener.address": "\(localAddress)"]
            )
            transportPromise.succeed(transport)
            return transport
        }.flatMapErrorThrowing { error in
            transportPromise.fail(error)
            throw error
        }
    }

    public func canReach(_ address: MQTTSNClientAddress) -> Bool {
        guard let socketAddress = address.socketAddress else {
            return false
        }
        guard socketAddress.protocol == self.localAddress.protocol else {
            return false
        }
        // A socket bound to a loopback address can only reach loopback peers (ADVERTISE to a LAN address from a
        // `127.0.0.1` listener would never leave `lo`), and one bound to another specific address none of them.
        if self.localAddress.isWildcard {
            return true
        }
        return self.localAddress.isLoopback == socketAddress.isLoopback
    }

    /// Sends to a UDP peer; a node behind a forwarder gets the message in a Forwarder Encapsulation with its
    /// wireless node id, sent to the forwarder.
    public func send(_ message: ByteBuffer, to address: MQTTSNClientAddress) {
        switch address {
        case .udp(let socketAddress):
            self.channel.write(AddressedEnvelope(remoteAddress: socketAddress, data: message), promise: nil)
        case .udpForwarded(let forwarder, let wirelessNodeID):
            let encapsulated = MQTTSNForwarderEncapsulation.wrap(message, wirelessNodeID: wirelessNodeID)
            self.channel.write(AddressedEnvelope(remoteAddress: forwarder, data: encapsulated), promise: nil)
        case .serial:
            return
        }
    }

    public func flush() {
        self.channel.flush()
    }

    /// Closes the listener.
    public func close() -> EventLoopFuture<Void> {
        self.channel.close().flatMapError { error in
            // Closing twice is harmless: the goal, a closed socket, is reached.
            if let channelError = error as? ChannelError, channelError == .alreadyClosed {
                return self.channel.eventLoop.makeSucceededVoidFuture()
            }
            return self.channel.eventLoop.makeFailedFuture(error)
        }
    }
}
