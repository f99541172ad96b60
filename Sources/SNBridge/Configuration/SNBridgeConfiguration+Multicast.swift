import GatewayCore

extension SNBridgeConfiguration {
    /// `udp.multicast`: a list of groups to join for discovery.
    ///
    /// ```yaml
    /// udp:
    ///   multicast:
    ///     - group: 225.1.1.1      # IPv4 224.0.0.0/4 or IPv6 ff00::/8
    ///       port: 1883            # default 1883
    ///       interface: eth0       # required
    ///       reply: multicast      # or unicast; default multicast
    ///       ttl: 1                # default 1
    ///       loopback: false       # default false
    /// ```
    ///
    /// Addresses and interfaces are checked by ``GatewayConfiguration/validateMulticast(devices:)``.
    mutating func readMulticast(_ section: ConfigurationReader.Cursor, with reader: ConfigurationReader) {
        for entry in reader.sequence(section) {
            guard reader.expectMapping(entry, allowed: ["group", "port", "interface", "reply", "ttl", "loopback"])
            else { continue }
            let group = reader.string(entry.key("group"))
            if group == nil {
                reader.report(entry.key("group").path, "is required: the multicast group, e.g. 225.1.1.1")
            }
            let interface = reader.string(entry.key("interface"))
            if interface == nil {
                reader.report(entry.key("interface").path, "is required: the network interface to join on, e.g. eth0")
            }
            guard let group, let interface else { continue }
            var multicast = GatewayConfiguration.Multicast(group: group, interface: interface)
            if let port = reader.int(entry.key("port"), in: 1...65_535) { multicast.port = port }
            if let reply = reader.choice(
                entry.key("reply"),
                ["multicast": GatewayConfiguration.Multicast.Reply.multicast, "unicast": .unicast]
            ) {
                multicast.reply = reply
            }
            if let ttl = reader.int(entry.key("ttl"), in: 1...255) { multicast.ttl = ttl }
            if let loopback = reader.bool(entry.key("loopback")) { multicast.loopback = loopback }
            gateway.multicast.append(multicast)
        }
    }
}
