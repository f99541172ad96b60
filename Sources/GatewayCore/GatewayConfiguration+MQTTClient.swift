import MQTTClient
import NIOCore

extension GatewayConfiguration.Upstream {
    /// The TLS settings of `broker.tls` for our MQTT client, `nil` for plain TCP.
    ///
    /// - Throws: when TLS is configured but cannot be set up (unreadable or invalid files). Callers must not fall
    ///   back to plain TCP then: credentials would go out in the clear.
    public func mqttTLSConfiguration() throws -> MQTTTLSConfiguration? {
        guard let tls = self.tls else {
            return nil
        }
        return try MQTTTLSConfiguration(
            caFile: tls.caFile,
            certificateFile: tls.certificateFile,
            privateKeyFile: tls.keyFile,
            serverName: tls.serverName
        )
    }

    /// The one place an MQTT client configuration is made from the broker settings: the gateway's client sessions,
    /// the bridge's status session and `snbridge devices` all connect through it.
    ///
    /// - Parameters:
    ///   - tls: ``mqttTLSConfiguration()``'s result, made once by the caller.
    ///   - session: client id, session, keepalive, will and credentials of this connection.
    ///   - connectTimeout: overrides `broker.connect_timeout`.
    ///   - detectsPartition: whether the client probes a silent broker and gives up on it after
    ///     `broker.partition_timeout` (the gateway's client sessions do).
    ///   - maximumInFlight: how many of its QoS 1/2 PUBLISHes may await the broker's answer at once (MQTT 5 brokers
    ///     may lower it): 32 for one device's session, more for a session many devices share.
    public func mqttClientConfiguration(
        tls: MQTTTLSConfiguration?,
        session: UpstreamSessionParameters,
        maximumPacketSize: Int = 1 << 20,
        connectTimeout: TimeAmount? = nil,
        detectsPartition: Bool = false,
        maximumInFlight: Int = 32
    ) -> MQTTClientConfiguration {
        MQTTClientConfiguration(
            host: self.host,
            port: self.port,
            tls: tls,
            protocolVersion: self.protocolVersion == .v5 ? .v5 : .v3_1_1,
            clientID: session.clientID,
            cleanSession: session.cleanSession,
            keepAlive: .seconds(Int64(session.keepAlive)),
            // MQTT 5 ends a session with its connection unless told otherwise; an MQTT-SN client asking for a
            // persistent session (clean session off) gets what MQTT 3.1.1 would give it: one that does not expire.
            sessionExpiryInterval: session.cleanSession ? nil : UInt32.max,
            will: session.will.map { will in
                MQTTWill(
                    topic: will.topic,
                    payload: will.payload,
                    qos: MQTTQoS(rawValue: will.qos.rawValue) ?? .atMostOnce,
                    retain: will.retain
                )
            },
            username: session.username,
            password: session.password.map { Array($0.utf8) },
            maximumPacketSize: maximumPacketSize,
            maximumInFlight: maximumInFlight,
            connectTimeout: connectTimeout ?? self.connectTimeout,
            reconnect: session.reconnects
                ? MQTTReconnectPolicy(
                    initialDelay: self.reconnectBackoff.initialDelay,
                    maximumDelay: self.reconnectBackoff.maximumDelay
                )
                : nil,
            partitionTimeout: detectsPartition ? self.partitionTimeout : nil,
            receiveMaximum: session.receiveMaximum
        )
    }
}
