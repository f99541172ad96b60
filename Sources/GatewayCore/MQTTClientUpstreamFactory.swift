import Logging
import MQTTClient
import NIOCore

/// Makes upstream sessions with our ``MQTTClient``, spread over an event-loop group.
public struct MQTTClientUpstreamFactory: UpstreamSessionFactory {
    private let upstream: GatewayConfiguration.Upstream
    private let tls: Result<MQTTTLSConfiguration, UpstreamConnectError>?
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let maximumPacketSize: Int

    /// - Parameter maximumMessageSize: the largest MQTT-SN message; broker packets are limited a little above it
    ///   (topic names are longer upstream) so that a broker cannot make the gateway buffer huge messages.
    public init(
        upstream: GatewayConfiguration.Upstream,
        maximumMessageSize: Int,
        eventLoopGroup: any EventLoopGroup,
        logger: Logger
    ) {
        self.upstream = upstream
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.maximumPacketSize = max(maximumMessageSize * 2 + 1024, 4096)
        do {
            self.tls = try upstream.mqttTLSConfiguration().map { .success($0) }
        } catch {
            self.tls = .failure(.refused("TLS configuration unusable: \(error)"))
        }
    }

    public func makeSession(parameters: UpstreamSessionParameters, events: UpstreamSessionEvents) -> any UpstreamSession
    {
        let eventLoop = self.eventLoopGroup.next()
        var tlsConfiguration: MQTTTLSConfiguration?
        switch self.tls {
        case .none:
            tlsConfiguration = nil
        case .success(let configuration):
            tlsConfiguration = configuration
        case .failure(let error):
            return MQTTClientUpstream(failing: error, eventLoop: eventLoop)
        }
        let configuration = self.upstream.mqttClientConfiguration(
            tls: tlsConfiguration,
            session: parameters,
            maximumPacketSize: self.maximumPacketSize,
            detectsPartition: true
        )
        var logger = self.logger
        logger[metadataKey: "upstream.client_id"] = "\(parameters.clientID)"
        return MQTTClientUpstream(configuration: configuration, eventLoop: eventLoop, logger: logger, events: events)
    }
}
