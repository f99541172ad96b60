import Foundation
import NIOCore
import NIOPosix

/// A loopback TCP proxy in front of a server that tests can use to inject faults: swallow what the server sends
/// (so acknowledgements never arrive) and cut every connection without a protocol-level goodbye.
///
///     client ──► proxy (127.0.0.1:port) ──► target
///            ◄──  swallowed while `swallowServerToClient` is set
///
/// The bytes each client sends are recorded per connection, so tests can decode what went over the wire.
public final class TCPFaultProxy: Sendable {
    /// Where clients connect.
    public let host = "127.0.0.1"
    /// The proxy's own port, chosen by the kernel.
    public let port: Int

    private let serverChannel: any Channel
    private let state: ProxyState

    private init(serverChannel: any Channel, port: Int, state: ProxyState) {
        self.serverChannel = serverChannel
        self.port = port
        self.state = state
    }

    /// Starts a proxy forwarding to `targetHost:targetPort`.
    public static func start(
        targetHost: String = "127.0.0.1",
        targetPort: Int,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> TCPFaultProxy {
        let state = ProxyState()
        let serverChannel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { clientChannel in
                let connectionIndex = state.addConnection(clientChannel)
                return ClientBootstrap(group: clientChannel.eventLoop)
                    .channelInitializer { targetChannel in
                        targetChannel.eventLoop.makeCompletedFuture {
                            try targetChannel.pipeline.syncOperations.addHandler(
                                ForwardingHandler(
                                    peer: clientChannel,
                                    direction: .serverToClient(connectionIndex),
                                    state: state
                                )
                            )
                        }
                    }
                    .connect(host: targetHost, port: targetPort)
                    .flatMap { targetChannel in
                        state.setTarget(targetChannel, for: connectionIndex)
                        return clientChannel.eventLoop.makeCompletedFuture {
                            try clientChannel.pipeline.syncOperations.addHandler(
                                ForwardingHandler(
                                    peer: targetChannel,
                                    direction: .clientToServer(connectionIndex),
                                    state: state
                                )
                            )
                            clientChannel.setOption(.autoRead, value: true).whenComplete { _ in }
                        }
                    }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = serverChannel.localAddress?.port else {
            try? await serverChannel.close()
            throw ProxyError.noLocalAddress
        }
        return TCPFaultProxy(serverChannel: serverChannel, port: port, state: state)
    }

    /// While true, bytes from the server are dropped instead of forwarded to the client.
    public var swallowServerToClient: Bool {
        get { state.swallowServerToClient }
        set { state.swallowServerToClient = newValue }
    }

    /// How many client connections the proxy has accepted so far.
    public var connectionCount: Int { state.connectionCount }

    /// The bytes the client sent on connection `index` (0 is the first connection).
    public func clientBytes(connection index: Int) -> [UInt8] {
        state.clientBytes(index)
    }

    /// Closes every open connection on both sides, as a network failure would.
    public func dropAllConnections() async {
        for channel in state.openChannels() {
            try? await channel.close()
        }
    }

    /// Stops accepting and closes every connection.
    public func stop() async {
        try? await serverChannel.close()
        await dropAllConnections()
    }
}

private struct ProxyError: Error, CustomStringConvertible {
    let description: String
    static let noLocalAddress = ProxyError(description: "the proxy's listening socket has no local address")
}

private final class ProxyState: @unchecked Sendable {
    private let lock = NSLock()
    private var swallow = false
    private var connections: [(client: any Channel, target: (any Channel)?, bytes: [UInt8])] = []

    var swallowServerToClient: Bool {
        get { lock.withLock { swallow } }
        set { lock.withLock { swallow = newValue } }
    }

    var connectionCount: Int { lock.withLock { connections.count } }

    func addConnection(_ client: any Channel) -> Int {
        lock.withLock {
            connections.append((client, nil, []))
            return connections.count - 1
        }
    }

    func setTarget(_ target: any Channel, for index: Int) {
        lock.withLock { connections[index].target = target }
    }

    func record(_ buffer: ByteBuffer, connection index: Int) {
        lock.withLock { connections[index].bytes.append(contentsOf: buffer.readableBytesView) }
    }

    func clientBytes(_ index: Int) -> [UInt8] {
        lock.withLock { index < connections.count ? connections[index].bytes : [] }
    }

    func openChannels() -> [any Channel] {
        lock.withLock { connections.flatMap { [$0.client] + ($0.target.map { [$0] } ?? []) } }
    }
}

private final class ForwardingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Direction {
        case clientToServer(Int)
        case serverToClient(Int)
    }

    private let peer: any Channel
    private let direction: Direction
    private let state: ProxyState

    init(peer: any Channel, direction: Direction, state: ProxyState) {
        self.peer = peer
        self.direction = direction
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        switch direction {
        case .clientToServer(let index):
            state.record(buffer, connection: index)
            peer.writeAndFlush(buffer, promise: nil)
        case .serverToClient:
            if !state.swallowServerToClient {
                peer.writeAndFlush(buffer, promise: nil)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        peer.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
