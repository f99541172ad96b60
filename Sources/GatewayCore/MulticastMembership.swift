import MQTTSNTransport

/// One joined `udp.multicast` group: its socket and how SEARCHGW received there is answered.
struct MulticastMembership: Sendable {
    let transport: UDPMulticastTransport
    let reply: GatewayConfiguration.Multicast.Reply
}
