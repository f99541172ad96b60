import NIOCore

extension GatewayConfiguration {
    /// A token bucket per client (`gateway.rate_limit.*`).
    ///
    /// A PUBLISH beyond it is answered with PUBACK "rejected: congestion" (0x01) at QoS 1 and 2, and dropped and
    /// counted at QoS 0.
    public struct RateLimit: Sendable, Hashable {
        /// Sustained rate (`gateway.rate_limit.messages_per_second`).
        public var messagesPerSecond: Double
        /// How many messages may arrive at once after a quiet period (`gateway.rate_limit.burst`).
        public var burst: Int

        public init(messagesPerSecond: Double, burst: Int) {
            self.messagesPerSecond = messagesPerSecond
            self.burst = burst
        }
    }

    /// Settings for one client id (`gateway.clients.<id>.*`).
    public struct ClientOverrides: Sendable, Hashable {
        /// Upstream username for this client (`gateway.clients.<id>.username`).
        public var username: String?
        /// Upstream password for this client (`gateway.clients.<id>.password`).
        public var password: String?
        /// Predefined topic ids for this client only; they take precedence over the global ones
        /// (`gateway.clients.<id>.predefined_topics`).
        public var predefinedTopics: [UInt16: String]
        /// The largest MQTT-SN packet the client can take, in octets (`gateway.clients.<id>.max_packet_size`), for
        /// devices with small receive buffers; `nil` for `gateway.max_message_size`. Larger broker messages are
        /// not sent to it: they are dropped for it and counted (`too_large`), and the next message goes through.
        public var maxPacketSize: Int?
        /// Source address prefixes this client may connect from, as CIDR or single addresses
        /// (`gateway.clients.<id>.allowed_sources`). Empty allows every source the authentication policy allows.
        public var allowedSources: [String]
        /// Topic prefix for this client's topics, `%c` standing for its client id (`gateway.clients.<id>.mountpoint`);
        /// overrides ``Security/mountpoint``.
        public var mountpoint: String?
        /// This client's mode (`gateway.clients.<id>.mode`); `nil` for its transport's, or ``GatewayConfiguration/mode``.
        public var mode: Mode?

        public init(
            username: String? = nil,
            password: String? = nil,
            predefinedTopics: [UInt16: String] = [:],
            maxPacketSize: Int? = nil,
            allowedSources: [String] = [],
            mountpoint: String? = nil,
            mode: Mode? = nil
        ) {
            self.username = username
            self.password = password
            self.predefinedTopics = predefinedTopics
            self.maxPacketSize = maxPacketSize
            self.allowedSources = allowedSources
            self.mountpoint = mountpoint
            self.mode = mode
        }
    }

    /// Publishing without a connection (`gateway.qos_minus_one.*`).
    ///
    /// QoS -1 publishes go upstream through one session the gateway opens for itself. Only predefined topic ids
    /// (global ones) and short topic names can be used, because such a client has no session to register in.
    public struct QoSMinusOne: Sendable, Hashable {
        /// Whether QoS -1 publishes are accepted (`gateway.qos_minus_one.enabled`). Defaults to `false`.
        public var enabled: Bool
        /// Source address prefixes allowed to publish, as CIDR (`192.168.1.0/24`, `fd00::/8`) or single addresses
        /// (`gateway.qos_minus_one.allowed_sources`). Empty allows every source.
        public var allowedSources: [String]

        public init(enabled: Bool = false, allowedSources: [String] = []) {
            self.enabled = enabled
            self.allowedSources = allowedSources
        }
    }

    /// Forwarder Encapsulation over UDP (`udp.forwarders.*`, specification section 5.5): a forwarder (a radio-to-UDP
    /// bridge) relays its wireless nodes' messages in an encapsulation naming the node; each node gets its own
    /// session and its answers go back encapsulated.
    public struct Forwarders: Sendable, Hashable {
        /// Whether encapsulated messages are accepted over UDP (`udp.forwarders.enabled`). Defaults to `true`.
        public var enabled: Bool
        /// Source address prefixes allowed to forward, as CIDR or single addresses
        /// (`udp.forwarders.allowed_sources`). Empty allows every source.
        public var allowedSources: [String]

        public init(enabled: Bool = true, allowedSources: [String] = []) {
            self.enabled = enabled
            self.allowedSources = allowedSources
        }
    }

    /// Periodic ADVERTISE (`udp.advertise.*`).
    public struct Advertise: Sendable, Hashable {
        /// Time between two ADVERTISE messages, also announced in them as their duration
        /// (`udp.advertise.interval`); 1...65535 seconds.
        public var interval: TimeAmount
        /// Where to send them as `host:port`, typically a broadcast or multicast address
        /// (`udp.advertise.addresses`).
        public var addresses: [String]

        public init(interval: TimeAmount = .seconds(900), addresses: [String]) {
            self.interval = interval
            self.addresses = addresses
        }
    }
}
