import Logging
import MQTTSN
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A UDP socket that is a member of one multicast group on one network interface, for gateway discovery
/// (SEARCHGW in, GWINFO and ADVERTISE out, specification section 6.1).
///
/// ```
///   client (other host)                         snbridge
///   ───────────────────                         ────────────────────────────────────────────
///   SEARCHGW ──► 225.1.1.1:1883 ──(eth0)──►  group socket  *:1883, member of 225.1.1.1 on eth0
///                                                 │ datagrams to the gateway core, like a listener
///   GWINFO   ◄── 225.1.1.1:1883 ◄─(eth0)───  group socket, IP_MULTICAST_IF = eth0
///   ADVERTISE◄── 225.1.1.1:1883 ◄─(eth0)───  group socket
/// ```
///
/// The socket is bound to the wildcard address at the group's port with `SO_REUSEADDR` (other programs on the
/// host may be members of the same group), and on Linux with `IP_MULTICAST_ALL` off, so it reads only the group
/// it joined. Because it is bound to the wildcard address it also reads unicast datagrams to its port: a client
/// that learned the gateway's address from the source of a GWINFO or ADVERTISE it got from the group may connect
/// there, and it is served like on any listener.
///
/// Like ``UDPTransport`` it knows nothing of MQTT-SN: it hands datagrams to its ``MQTTSNInboundHandler`` and
/// sends what it is given, to the group or to a unicast peer.
public final class UDPMulticastTransport: MQTTSNTransport {
    /// The port Paho's clients and GatewayTester send SEARCHGW to (`225.1.1.1:1883`), used when none is named.
    public static let defaultPort = 1883

    /// What to join and how to send.
    public struct Configuration: Sendable {
        /// The group address with the port to listen on, e.g. `225.1.1.1:1883` or `[ff02::1:1]:1883`.
        public var group: SocketAddress
        /// The interface to join the group on and to send group datagrams out of. For an IPv4 group it must be
        /// the device entry with the interface's IPv4 address; for IPv6 its interface index is used.
        public var device: NIONetworkDevice
        /// Time to live (IPv4) or hop limit (IPv6) of datagrams sent to the group; 1 keeps them on the link.
        public var hopLimit: Int
        /// Whether datagrams sent to the group are looped back to members on this host. Defaults to `false`.
        public var loopback: Bool
        /// The largest datagram read in full. Defaults to 2048.
        public var maximumDatagramSize: Int

        public init(
            group: SocketAddress,
            device: NIONetworkDevice,
            hopLimit: Int = 1,
            loopback: Bool = false,
            maximumDatagramSize: Int = 2048
        ) {
            self.group = group
            self.device = device
            self.hopLimit = hopLimit
            self.loopback = loopback
            self.maximumDatagramSize = maximumDatagramSize
        }
    }

    public let name = "udp-multicast"

    /// The group joined, with its port: where datagrams "to the group" go.
    public let group: SocketAddress

    /// The interface name the group was joined on.
    public let interfaceName: String

    /// The address the socket is bound to (the wildcard address at the group's port).
    public let localAddress: SocketAddress

    private let channel: any Channel

    private init(channel: any Channel, group: SocketAddress, interfaceName: String, localAddress: SocketAddress) {
        self.channel = channel
        self.group = group
        self.interfaceName = interfaceName
        self.localAddress = localAddress
    }

    /// Binds the group socket on `eventLoop`, joins the group on the configured interface, sets the outgoing
    /// interface, hop limit and loopback, and delivers what it reads to `handler`.
    public static func join(
        configuration: Configuration,
        on eventLoop: any EventLoop,
        handler: any MQTTSNInboundHandler,
        logger: Logger
    ) async throws -> UDPMulticastTransport {
        guard configuration.group.isMulticast, let port = configuration.group.port else {
            throw UDPTransportError.notMulticast
        }
        let isIPv6 = configuration.group.protocol == .inet6
        let transportPromise = eventLoop.makePromise(of: UDPMulticastTransport.self)
        var bootstrap = DatagramBootstrap(group: eventLoop)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
        if isIPv6 {
            bootstrap = bootstrap.channelOption(
                ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_v6only),
                value: 1
            )
        }
        bootstrap =
            bootstrap
            .channelOption(
                .recvAllocator,
                value: FixedSizeRecvByteBufferAllocator(capacity: configuration.maximumDatagramSize)
            )
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        UDPTransportInboundHandler(transport: transportPromise.futureResult, handler: handler)
                    )
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: isIPv6 ? "::" : "0.0.0.0", port: port).get()
        } catch {
            transportPromise.fail(error)
            throw error
        }
        do {
            try await Self.configure(channel, configuration: configuration)
            guard let localAddress = channel.localAddress else {
                throw UDPTransportError.noLocalAddress
            }
            let transport = UDPMulticastTransport(
                channel: channel,
                group: configuration.group,
                interfaceName: configuration.device.name,
                localAddress: localAddress
            )
            logger.debug(
                "MQTT-SN multicast group joined",
                metadata: [
                    "multicast.group": "\(configuration.group)",
                    "multicast.interface": "\(configuration.device.name)",
                ]
            )
            transportPromise.succeed(transport)
            return transport
        } catch {
            transportPromise.fail(error)
            try? await channel.close().get()
            throw error
        }
    }

    /// Membership and the sending options, on the bound channel.
    private static func configure(_ channel: any Channel, configuration: Configuration) async throws {
        guard let multicast = channel as? any MulticastChannel,
            let options = channel as? any SocketOptionProvider
        else {
            throw UDPTransportError.notMulticast
        }
        let device = configuration.device
        let hops = max(0, min(configuration.hopLimit, 255))
        let isIPv6 = configuration.group.protocol == .inet6
        #if os(Linux)
        // Only the group joined here, not every group some other socket on the host joined at this port
        // (IP_MULTICAST_ALL, IPV6_MULTICAST_ALL = 29, default on).
        if isIPv6 {
            try await options.unsafeSetSocketOption(level: .ipv6, name: .init(rawValue: 29), value: CInt(0)).get()
        } else {
            try await options.unsafeSetSocketOption(
                level: .ip,
                name: .init(rawValue: IP_MULTICAST_ALL),
                value: CInt(0)
            ).get()
        }
        #endif
        if isIPv6 {
            try await multicast.joinGroup(configuration.group, device: device).get()
            try await options.setIPv6MulticastIF(CUnsignedInt(device.interfaceIndex)).get()
            try await options.setIPv6MulticastHops(CInt(hops)).get()
            try await options.setIPv6MulticastLoop(configuration.loopback ? 1 : 0).get()
        } else {
            guard case .v4(let address)? = device.address else {
                throw UDPTransportError.noInterfaceAddress
            }
            try await multicast.joinGroup(configuration.group, device: device).get()
            try await options.setIPMulticastIF(address.address.sin_addr).get()
            try await options.setIPMulticastTTL(CUnsignedChar(hops)).get()
            try await options.setIPMulticastLoop(configuration.loopback ? 1 : 0).get()
        }
    }

    /// The group (same family) and unicast peers of the group's family: the socket is bound to the wildcard
    /// address, so the kernel routes unicast replies normally.
    public func canReach(_ address: MQTTSNClientAddress) -> Bool {
        guard let socketAddress = address.socketAddress else {
            return false
        }
        return socketAddress.protocol == self.group.protocol
    }

    /// Whether `address` is this transport's group (address and port).
    public func isGroup(_ address: SocketAddress) -> Bool {
        address == self.group
    }

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

    /// Leaves the group and closes the socket.
    public func close() -> EventLoopFuture<Void> {
        self.channel.close().flatMapError { error in
            if let channelError = error as? ChannelError, channelError == .alreadyClosed {
                return self.channel.eventLoop.makeSucceededVoidFuture()
            }
            return self.channel.eventLoop.makeFailedFuture(error)
        }
    }
}
