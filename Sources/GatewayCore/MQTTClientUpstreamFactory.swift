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
        if let tls = upstream.tls {
            do {
                self.tls = .success(
                    try MQTTTLSConfiguration(
                        caFile: tls.caFile,
                        certificateFile: tls.certificateFile,
                        privateKeyFile: tls.keyFile,
                        serverName: tls.serverName
                    )
                )
            } catch {
                self.tls = .failure(.refused("TLS configuration unusable: \(error)"))
            }
        } else {
            self.tls = nil
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
        let configuration = MQTTClientConfiguration(
            host: self.upstream.host,
            port: self.upstream.port,
            tls: tlsConfiguration,
            protocolVersion: self.upstream.protocolVersion == .v5 ? .v5 : .v3_1_1,
            clientID: parameters.clientID,
            cleanSession: parameters.cleanSession,
            keepAlive: .seconds(Int64(parameters.keepAlive)),
            // MQTT 5 ends a session with its connection unless told otherwise; an MQTT-SN client asking for a
            // persistent session (clean session off) gets what MQTT 3.1.1 would give it: one that does not expire.
            sessionExpiryInterval: parameters.cleanSession ? nil : UInt32.max,
            will: parameters.will.map { will in
                MQTTWill(
                    topic: will.topic,
                    payload: will.payload,
                    qos: MQTTQoS(rawValue: will.qos.rawValue) ?? .atMostOnce,
                    retain: will.retain
                )
            },
            username: parameters.username,
            password: parameters.password.map { Array($0.utf8) },
            maximumPacketSize: self.maximumPacketSize,
            connectTimeout: self.upstream.connectTimeout,
            reconnect: parameters.reconnects
                ? MQTTReconnectPolicy(
                    initialDelay: self.upstream.reconnectBackoff.initialDelay,
                    maximumDelay: self.upstream.reconnectBackoff.maximumDelay
                )
                : nil,
            partitionTimeout: self.upstream.partitionTimeout,
            receiveMaximum: parameters.receiveMaximum
        )
        var logger = self.logger
        logger[metadataKey: "upstream.client_id"] = "\(parameters.clientID)"
        return MQTTClientUpstream(configuration: configuration, eventLoop: eventLoop, logger: logger, events: events)
    }
}
