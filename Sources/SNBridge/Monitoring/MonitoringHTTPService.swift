import GatewayCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The monitoring HTTP listener (`http.listen`) under swift-service-lifecycle, on the bridge's event-loop group.
///
/// A listener that cannot bind (the port taken) is logged as an error and the bridge goes on without it: the
/// devices' data matters more than the view of it.
public struct MonitoringHTTPService: Service, CustomStringConvertible {
    let monitor: BridgeMonitor
    let address: HostAndPort
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger
    let onBound: @Sendable (SocketAddress) -> Void

    public init(
        monitor: BridgeMonitor,
        address: HostAndPort,
        eventLoopGroup: any EventLoopGroup,
        logger: Logger,
        onBound: @escaping @Sendable (SocketAddress) -> Void = { _ in }
    ) {
        self.monitor = monitor
        self.address = address
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.onBound = onBound
    }

    public var description: String { "MonitoringHTTPService" }

    public func run() async throws {
        let monitor = self.monitor
        let logger = self.logger
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: eventLoopGroup)
                .serverChannelOption(.backlog, value: 64)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(
                            MonitoringHTTPHandler(monitor: monitor, logger: logger)
                        )
                    }
                }
                .bind(host: address.host, port: address.port)
                .get()
        } catch {
            logger.error(
                "Monitoring HTTP listener cannot bind; running without it",
                metadata: ["http.listen": "\(address.host):\(address.port)", "error.description": "\(error)"]
            )
            try? await gracefulShutdown()
            return
        }
        if let local = channel.localAddress {
            logger.info("Monitoring HTTP listening", metadata: ["http.address": "\(local)"])
            onBound(local)
        }
        try? await gracefulShutdown()
        monitor.feed.closeAll()
        try? await channel.close()
    }
}
