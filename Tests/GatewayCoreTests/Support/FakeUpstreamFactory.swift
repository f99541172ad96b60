import GatewayCore
import NIOCore

/// Upstream sessions that never touch the network: the test decides when the "broker" answers.
///
/// Everything is confined to `eventLoop`, which must be the gateway's (a one-thread group makes sure of it).
final class FakeUpstreamFactory: UpstreamSessionFactory, @unchecked Sendable {
    let eventLoop: any EventLoop
    private var sessions: [FakeUpstream] = []

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func makeSession(parameters: UpstreamSessionParameters, events: UpstreamSessionEvents) -> any UpstreamSession {
        self.eventLoop.preconditionInEventLoop()
        let session = FakeUpstream(parameters: parameters, events: events, eventLoop: self.eventLoop)
        self.sessions.append(session)
        return session
    }

    /// The latest session made for `clientID` (the MQTT client id, prefix included).
    func session(_ clientID: String) async throws -> FakeUpstream? {
        try await self.eventLoop.submit { self.sessions.last { $0.parameters.clientID == clientID } }.get()
    }
}
