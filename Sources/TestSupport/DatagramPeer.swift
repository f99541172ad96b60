import NIOCore
import NIOPosix

/// A bare UDP socket for end-to-end tests that speak MQTT-SN byte by byte: what is sent is exactly the bytes given,
/// and what arrives is kept as bytes, so a test can assert the gateway's answer octet for octet.
///
/// Datagrams queue in order; ``receive(timeout:)`` waits for the next one with a deadline instead of sleeping.
public final class DatagramPeer: Sendable {
    /// One datagram received.
    public struct Datagram: Sendable, Hashable {
        public var bytes: [UInt8]
        public var source: SocketAddress
    }

    /// Nothing arrived before the deadline.
    public struct Timeout: Error, CustomStringConvertible {
        public var description: String { "no datagram arrived before the deadline" }
    }

    private let channel: any Channel
    private let inbox: DatagramPeerInbox

    private init(channel: any Channel, inbox: DatagramPeerInbox) {
        self.channel = channel
        self.inbox = inbox
    }

    /// A socket bound to `host` on a free port.
    public static func bind(host: String = "127.0.0.1", on group: any EventLoopGroup) async throws -> DatagramPeer {
        let eventLoop = group.next()
        let inbox = DatagramPeerInbox(eventLoop: eventLoop)
        let channel = try await DatagramBootstrap(group: eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DatagramPeerHandler(inbox: inbox))
                }
            }
            .bind(host: host, port: 0).get()
        return DatagramPeer(channel: channel, inbox: inbox)
    }

    /// The bound address.
    public var localAddress: SocketAddress? { self.channel.localAddress }

    public func send(_ bytes: [UInt8], to address: SocketAddress) async throws {
        try await self.channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: ByteBuffer(bytes: bytes)))
            .get()
    }

    /// The next datagram, or ``Timeout``.
    public func receive(timeout: TimeAmount = .seconds(5)) async throws -> Datagram {
        try await self.inbox.next(timeout: timeout).get()
    }

    /// Receives until a datagram satisfies `match`, skipping the others, or throws ``Timeout``.
    public func receive(timeout: TimeAmount = .seconds(5), where match: ([UInt8]) -> Bool) async throws -> Datagram {
        let deadline = NIODeadline.now() + timeout
        while true {
            let remaining = deadline - .now()
            guard remaining > .zero else { throw Timeout() }
            let datagram = try await self.receive(timeout: remaining)
            if match(datagram.bytes) { return datagram }
        }
    }

    public func close() async {
        try? await self.channel.close()
    }
}
