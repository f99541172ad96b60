import Logging
import NIOCore
import SessionStore

extension Gateway {
    /// A gateway whose client sessions connect to ``GatewayConfiguration/upstream`` with ``MQTTClient``.
    ///
    /// The session logic and every upstream connection share one event loop of the group: a PUBLISH then goes from
    /// the client's datagram to the broker's socket, and its PUBACK back, without a thread hop (measured: a hop per
    /// message cost more CPU than the upstream I/O it spread over other cores).
    public convenience init(
        configuration: GatewayConfiguration,
        eventLoopGroup: any EventLoopGroup,
        persistence: (any SessionPersistence)? = nil,
        logger: Logger
    ) {
        let eventLoop = eventLoopGroup.next()
        let transparent = {
            MQTTClientUpstreamFactory(
                upstream: configuration.upstream,
                maximumMessageSize: configuration.maxMessageSize,
                eventLoopGroup: eventLoop,
                logger: logger
            )
        }
        let aggregating = {
            AggregatingUpstreamFactory(configuration: configuration, eventLoop: eventLoop, logger: logger)
        }
        let factory: any UpstreamSessionFactory
        switch configuration.modesInUse {
        case [.transparent]: factory = transparent()
        case [.aggregating]: factory = aggregating()
        default: factory = ModeRoutingUpstreamFactory(transparent: transparent(), aggregating: aggregating())
        }
        self.init(
            configuration: configuration,
            eventLoopGroup: eventLoop,
            upstreamFactory: factory,
            persistence: persistence,
            logger: logger
        )
    }
}
