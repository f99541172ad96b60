import NIOCore

extension GatewayConfiguration {
    /// The upstream broker (`broker.*`).
    public struct Upstream: Sendable {
        /// The MQTT protocol spoken to the broker (`broker.protocol`).
        public enum ProtocolVersion: Sendable, Hashable {
            /// MQTT 3.1.1 (`"3.1.1"`), the default.
            case v3_1_1
            /// MQTT 5.0 (`"5"`).
            case v5
        }

        /// Broker host (from `broker.url`). Defaults to `127.0.0.1`.
        public var host: String
        /// Broker port (from `broker.url`). Defaults to 1883.
        public var port: Int
        /// TLS towards the broker (`mqtts://` in `broker.url`, `broker.tls.*`), `nil` for plain TCP.
        public var tls: TLS?
        /// Defaults to MQTT 3.1.1 (`broker.protocol`).
        public var protocolVersion: ProtocolVersion
        /// Username for every client without its own (`broker.username`).
        public var username: String?
        /// Password for every client without its own (`broker.password`).
        public var password: String?
        /// Prepended to every MQTT-SN client id to form the upstream MQTT client id (`broker.client_id_prefix`).
        /// Defaults to none.
        public var clientIDPrefix: String
        /// Keepalive of the gateway's own shared session (QoS -1) in seconds (`broker.keepalive`). Client sessions
        /// use the client's keepalive (at least this when the client asks for 0). Defaults to 60.
        public var keepAlive: UInt16
        /// Reconnect backoff of every upstream session after it lost its connection: the client sessions (which
        /// keep their MQTT-SN clients meanwhile) and the gateway's own (`broker.reconnect.*`). Defaults to 1 s
        /// doubling up to 60 s.
        public var reconnectBackoff: ReconnectBackoff
        /// A connection the broker stays silent on for this long (a partition without RST) is declared lost, however
        /// long the keepalive: a PINGREQ goes out after a third of it without traffic (`broker.partition_timeout`).
        /// Defaults to 15 seconds.
        public var partitionTimeout: TimeAmount
        /// How long an upstream CONNECT may take before the client gets CONNACK "rejected: congestion".
        /// Defaults to 10 seconds.
        public var connectTimeout: TimeAmount

        public init(
            host: String = "127.0.0.1",
            port: Int = 1883,
            tls: TLS? = nil,
            protocolVersion: ProtocolVersion = .v3_1_1,
            username: String? = nil,
            password: String? = nil,
            clientIDPrefix: String = "",
            keepAlive: UInt16 = 60,
            reconnectBackoff: ReconnectBackoff = ReconnectBackoff(),
            connectTimeout: TimeAmount = .seconds(10),
            partitionTimeout: TimeAmount = .seconds(15)
        ) {
            self.host = host
            self.port = port
            self.tls = tls
            self.protocolVersion = protocolVersion
            self.username = username
            self.password = password
            self.clientIDPrefix = clientIDPrefix
            self.keepAlive = keepAlive
            self.reconnectBackoff = reconnectBackoff
            self.connectTimeout = connectTimeout
            self.partitionTimeout = partitionTimeout
        }
    }

    /// TLS towards the broker (`broker.tls.*`).
    public struct TLS: Sendable, Hashable {
        /// PEM file of the CA(s) to trust instead of the system roots (`broker.tls.ca_file`).
        public var caFile: String?
        /// PEM client certificate (`broker.tls.cert_file`); needs ``keyFile``.
        public var certificateFile: String?
        /// PEM private key of the client certificate (`broker.tls.key_file`).
        public var keyFile: String?
        /// The name to verify and send in SNI, when not the host (`broker.tls.server_name`).
        public var serverName: String?

        public init(
            caFile: String? = nil,
            certificateFile: String? = nil,
            keyFile: String? = nil,
            serverName: String? = nil
        ) {
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
            self.serverName = serverName
        }
    }

    /// Exponential reconnect backoff.
    public struct ReconnectBackoff: Sendable, Hashable {
        /// First delay. Defaults to 1 second.
        public var initialDelay: TimeAmount
        /// Largest delay. Defaults to 60 seconds.
        public var maximumDelay: TimeAmount

        public init(initialDelay: TimeAmount = .seconds(1), maximumDelay: TimeAmount = .seconds(60)) {
            self.initialDelay = initialDelay
            self.maximumDelay = maximumDelay
        }
    }
}
