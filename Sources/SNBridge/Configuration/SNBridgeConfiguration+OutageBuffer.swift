import SessionStore

extension SNBridgeConfiguration {
    /// Reads `gateway.outage_buffer: { messages, bytes }`: the durable outage buffer's caps per client (all clients
    /// together keep the store's total caps, raised to at least these). Absent: off.
    mutating func readOutageBuffer(_ section: ConfigurationReader.Cursor, with reader: ConfigurationReader) {
        reader.expectMapping(section, allowed: ["messages", "bytes"])
        guard section.isPresent else { return }
        let defaults = SessionStoreConfiguration.defaultOutageBufferPerClient
        let limits = OutageBufferLimits(
            messages: reader.int(section.key("messages"), in: 1...10_000_000) ?? defaults.messages,
            bytes: reader.int(section.key("bytes"), in: 1...(1 << 40)) ?? defaults.bytes
        )
        gateway.outageBuffer = limits
        state.outageBufferPerClient = limits
        state.outageBufferTotal = OutageBufferLimits(
            messages: max(state.outageBufferTotal.messages, limits.messages),
            bytes: max(state.outageBufferTotal.bytes, limits.bytes)
        )
    }
}
