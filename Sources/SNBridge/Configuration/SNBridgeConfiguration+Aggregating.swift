import GatewayCore

extension SNBridgeConfiguration {
    /// Reads `gateway.mode` (`transparent` or `aggregating`) and `gateway.aggregating: { connections,
    /// client_property }` (`client_property: none` sends no user property).
    mutating func readMode(_ section: ConfigurationReader.Cursor, with reader: ConfigurationReader) {
        if let mode = reader.choice(
            section.key("mode"),
            ["transparent": GatewayConfiguration.Mode.transparent, "aggregating": .aggregating]
        ) {
            gateway.mode = mode
        }
        let aggregating = section.key("aggregating")
        reader.expectMapping(aggregating, allowed: ["connections", "client_property"])
        if let connections = reader.int(aggregating.key("connections"), in: 1...64) {
            gateway.aggregating.connections = connections
        }
        if let property = reader.string(aggregating.key("client_property")) {
            gateway.aggregating.clientProperty = property == "none" ? nil : property
        }
    }
}
