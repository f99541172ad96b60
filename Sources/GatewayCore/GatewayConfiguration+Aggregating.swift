extension GatewayConfiguration {
    /// How MQTT-SN clients reach the broker (`gateway.mode`).
    public enum Mode: String, Sendable, CaseIterable {
        /// One broker session per MQTT-SN client, with its own client id, credentials, will and subscriptions.
        case transparent
        /// Every client multiplexed over ``Aggregating/connections`` shared sessions; sessions, wills and topic
        /// access are the gateway's (MQTT-SN 1.2 section 4).
        case aggregating
    }

    /// The shared broker sessions of aggregating mode (`gateway.aggregating`).
    ///
    /// Each is its own MQTT client id, `<broker.client_id_prefix>snbridge-<host>-<gateway id>-<n>`, with a clean
    /// start; subscriptions are carried by the first, and every client publishes on one of them (the same one for
    /// as long as it is connected, which keeps its order).
    public struct Aggregating: Sendable, Equatable {
        /// How many shared sessions (`connections`, 1 to 64, default 2).
        public var connections: Int
        /// With MQTT 5 upstream, the user property that carries the MQTT-SN client id on every message
        /// (`client_property`, default `sn-client-id`); `nil` for none.
        public var clientProperty: String?

        public init(connections: Int = 2, clientProperty: String? = "sn-client-id") {
            self.connections = connections
            self.clientProperty = clientProperty
        }
    }

    /// The transports a client can come over, for ``TransportModes``.
    public enum TransportKind: String, Sendable, CaseIterable {
        case udp
        case dtls
        case serial
    }

    /// `gateway.transport_modes`: the mode of the clients of one kind of transport, where it differs from
    /// ``GatewayConfiguration/mode`` (e.g. a fleet of UDP sensors aggregated, the boards on serial lines with
    /// broker sessions of their own). `gateway.clients.<id>.mode` comes before it.
    public struct TransportModes: Sendable, Hashable {
        public var udp: Mode?
        public var dtls: Mode?
        public var serial: Mode?

        public init(udp: Mode? = nil, dtls: Mode? = nil, serial: Mode? = nil) {
            self.udp = udp
            self.dtls = dtls
            self.serial = serial
        }

        public subscript(kind: TransportKind) -> Mode? {
            switch kind {
            case .udp: self.udp
            case .dtls: self.dtls
            case .serial: self.serial
            }
        }
    }

    /// The mode of `clientID` coming over `transport`: its own (`gateway.clients.<id>.mode`), else its
    /// transport's (`gateway.transport_modes`), else ``mode``.
    public func mode(forClient clientID: String, transport: TransportKind) -> Mode {
        self.clients[clientID]?.mode ?? self.mode(forTransport: transport)
    }

    /// The mode of the clients coming over `transport` that have no mode of their own.
    public func mode(forTransport transport: TransportKind) -> Mode {
        self.transportModes[transport] ?? self.mode
    }

    /// Every mode some client may get, so that only the upstream factories needed are made.
    public var modesInUse: Set<Mode> {
        var modes: Set<Mode> = [self.mode]
        for kind in TransportKind.allCases {
            if let mode = self.transportModes[kind] { modes.insert(mode) }
        }
        for overrides in self.clients.values {
            if let mode = overrides.mode { modes.insert(mode) }
        }
        return modes
    }
}
