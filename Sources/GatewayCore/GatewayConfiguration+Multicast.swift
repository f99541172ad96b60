extension GatewayConfiguration {
    /// One multicast group the gateway joins for discovery (`udp.multicast[]`, specification section 6.1).
    ///
    /// SEARCHGW received on the group is answered with GWINFO, to the group (the specification's broadcast,
    /// section 5.4.3) or, with ``Reply/unicast``, to the sender only. ADVERTISE to the group (an
    /// `udp.advertise.addresses` entry equal to `group:port`) leaves through the group's socket, out of
    /// ``interface``.
    public struct Multicast: Sendable, Hashable {
        /// How SEARCHGW received on the group is answered (`udp.multicast[].reply`).
        public enum Reply: String, Sendable, Hashable, CaseIterable {
            /// GWINFO to the group, out of the group's interface: every client that searches learns of the
            /// gateway at once (the specification's broadcast answer).
            case multicast
            /// GWINFO to the sender only, through a UDP listener that can reach it (the group's socket if none):
            /// quieter on a busy link, and the client learns the listener's address.
            case unicast
        }

        /// The group address, IPv4 (`224.0.0.0/4`, e.g. `225.1.1.1`) or IPv6 (`ff00::/8`, e.g. `ff02::1:1883`)
        /// (`udp.multicast[].group`).
        public var group: String
        /// The UDP port of the group (`udp.multicast[].port`). Defaults to 1883, where Paho's clients and
        /// GatewayTester search.
        public var port: Int
        /// The network interface to join the group on and send group datagrams out of, e.g. `eth0`
        /// (`udp.multicast[].interface`).
        public var interface: String
        /// How SEARCHGW on the group is answered (`udp.multicast[].reply`). Defaults to ``Reply/multicast``.
        public var reply: Reply
        /// Time to live (hop limit) of datagrams sent to the group (`udp.multicast[].ttl`), 1...255. Defaults to
        /// 1: the local link only.
        public var ttl: Int
        /// Whether group datagrams the gateway sends are looped back to this host (`udp.multicast[].loopback`).
        /// Defaults to `false`.
        public var loopback: Bool

        public init(
            group: String,
            port: Int = 1883,
            interface: String,
            reply: Reply = .multicast,
            ttl: Int = 1,
            loopback: Bool = false
        ) {
            self.group = group
            self.port = port
            self.interface = interface
            self.reply = reply
            self.ttl = ttl
            self.loopback = loopback
        }
    }
}
