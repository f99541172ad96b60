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
}
