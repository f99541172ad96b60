import Logging
import NIOCore

extension Gateway {
    /// A gateway whose client sessions connect to ``GatewayConfiguration/upstream`` with ``MQTTClient``.
    public convenience init(configuration: GatewayConfiguration, eventLoopGroup: any EventLoopGroup, logger: Logger) {
        self.init(
            configuration: configuration,
            eventLoopGroup: eventLoopGroup,
            upstreamFactory: MQTTClientUpstreamFactory(
                upstream: configuration.upstream,
                maximumMessageSize: configuration.maxMessageSize,
                eventLoopGroup: eventLoopGroup,
                logger: logger
            ),
            logger: logger
        )
    }
}
