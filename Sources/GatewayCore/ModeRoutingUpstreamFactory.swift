/// The upstream factory of a gateway whose clients do not all have the same mode (`gateway.transport_modes`,
/// `gateway.clients.<id>.mode`): each session comes from the factory of its ``UpstreamSessionParameters/mode``.
///
/// ```
///  CONNECT boiler-7 (serial)  ── mode transparent ──▶ MQTTClientUpstreamFactory  ──▶ its own broker session
///  CONNECT t-0001   (udp)     ── mode aggregating ──▶ AggregatingUpstreamFactory ──▶ a shared broker session
/// ```
struct ModeRoutingUpstreamFactory: UpstreamSessionFactory {
    let transparent: any UpstreamSessionFactory
    let aggregating: any UpstreamSessionFactory

    func makeSession(parameters: UpstreamSessionParameters, events: UpstreamSessionEvents) -> any UpstreamSession {
        switch parameters.mode {
        case .transparent: self.transparent.makeSession(parameters: parameters, events: events)
        case .aggregating: self.aggregating.makeSession(parameters: parameters, events: events)
        }
    }

    func shutdown() async {
        await self.aggregating.shutdown()
        await self.transparent.shutdown()
    }
}
