import GatewayCore
import NIOCore

/// Upstream sessions that never touch the network: the test decides when the "broker" answers.
///
/// Everything is confined to `eventLoop`, which must be the gateway's (a one-thread group makes sure of it).
final class FakeUpstreamFactory: UpstreamSessionFactory, @unchecked Sendable {
    let eventLoop: any EventLoop
    /// Whether sessions accept CONNECT at once instead of waiting for the test.
    let acceptsConnect: Bool
    private var sessions: [FakeUpstream] = []

    init(eventLoop: any EventLoop, acceptsConnect: Bool = false) {
        self.eventLoop = eventLoop
        self.acceptsConnect = acceptsConnect
    }

    func makeSession(parameters: UpstreamSessionParameters, events: UpstreamSessionEvents) -> any UpstreamSession {
        self.eventLoop.preconditionInEventLoop()
        let session = FakeUpstream(
            parameters: parameters,
            events: events,
            eventLoop: self.eventLoop,
            acceptsConnect: self.acceptsConnect
        )
        if !self.acceptsConnect {
            // Kept for the test to find; a factory that answers by itself needs no record.
            self.sessions.append(session)
        }
        return session
    }

    /// The latest session made for `clientID` (the MQTT client id, prefix included).
    func session(_ clientID: String) async throws -> FakeUpstream? {
        try await self.eventLoop.submit { self.sessions.last { $0.parameters.clientID == clientID } }.get()
    }
}
