import GatewayCore

extension SNBridgeConfiguration {
    /// `transparent` or `aggregating` at `key`.
    static func readMode(
        _ key: ConfigurationReader.Cursor,
        with reader: ConfigurationReader
    ) -> GatewayConfiguration.Mode? {
        reader.choice(key, ["transparent": GatewayConfiguration.Mode.transparent, "aggregating": .aggregating])
    }

    /// Reads `gateway.mode` (`transparent` or `aggregating`) and `gateway.aggregating: { connections,
    /// client_property }` (`client_property: none` sends no user property) and `gateway.transport_modes: { udp, dtls,
    /// serial }`.
    mutating func readMode(_ section: ConfigurationReader.Cursor, with reader: ConfigurationReader) {
        if let mode = Self.readMode(section.key("mode"), with: reader) {
            gateway.mode = mode
        }
        let transportModes = section.key("transport_modes")
        reader.expectMapping(transportModes, allowed: GatewayConfiguration.TransportKind.allCases.map(\.rawValue))
        gateway.transportModes = GatewayConfiguration.TransportModes(
            udp: Self.readMode(transportModes.key("udp"), with: reader),
            dtls: Self.readMode(transportModes.key("dtls"), with: reader),
            serial: Self.readMode(transportModes.key("serial"), with: reader)
        )
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
