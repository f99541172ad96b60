import MQTTSNTransport

/// The gateway's record of one client: its state machine (the whole session) plus the I/O handles the state
/// machine must not know: where the client is, and its upstream connection.
///
/// Only touched on the gateway's event loop, which is why it can be `@unchecked Sendable`: completions capture it
/// and hop to that loop before touching it. A class, so that completions arriving later can tell whether the
/// session they were started for is still the current one (`===`), even if the client reconnected meanwhile.
final class ClientSession: @unchecked Sendable {
    var machine: ClientSessionStateMachine
    var address: MQTTSNClientAddress
    var transport: any MQTTSNTransport
    var upstream: (any UpstreamSession)?
    /// MQTT-SN messages received from the client and sent to it, for the device list.
    var messagesIn = 0
    var messagesOut = 0
    /// The state last reported in a ``GatewaySessionEvent``; `nil` before the first.
    var lastReportedState: GatewaySessionSnapshot.State?
    /// Topics whose broker messages were dropped as too large for the client, so the notice comes once per topic.
    var tooLargeTopicsLogged: Set<String> = []
    /// What the session last added to the gateway's gauges (``GatewayEngine/updateGauges(of:)``).
    var gaugeShare = GatewayGaugeShare.uncounted
    /// False once another client id connected from ``address``: nothing is sent until this client is heard again.
    var isReachable = true
    /// What admission decided and what bounds the session's cost (see `GatewayEngine+Admission.swift`).
    var admission: SessionAdmission?
    /// Which session object this is, among all the gateway ever had (``GatewayEngine/makeUpstream(for:)`` numbers
    /// it): callbacks name their session by client id and incarnation rather than by a weak reference, whose side
    /// table would make every retain and release of the session take the slow path.
    var incarnation: UInt64 = 0
    /// Counts the upstream sessions made for this session; the latest is ``upstream``'s (its callbacks compare).
    var upstreamGeneration: UInt64 = 0
    /// The tick of the engine's timer wheel this session is armed for (``GatewayEngine/armTimer(for:)``).
    var timerTick: Int64?

    init(machine: ClientSessionStateMachine, address: MQTTSNClientAddress, transport: any MQTTSNTransport) {
        self.machine = machine
        self.address = address
        self.transport = transport
    }

    var clientID: String { self.machine.clientID }
}
