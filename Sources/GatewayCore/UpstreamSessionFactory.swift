/// Makes the upstream sessions of clients and the gateway's own shared session.
public protocol UpstreamSessionFactory: Sendable {
    /// A session that is not connected yet. `events` receives messages the broker sends and the loss of the
    /// connection; it may be called on any event loop.
    func makeSession(parameters: UpstreamSessionParameters, events: UpstreamSessionEvents) -> any UpstreamSession
    /// Closes what the factory itself holds (aggregating mode's shared sessions), after every session it made was
    /// closed. Nothing by default.
    func shutdown() async
}

extension UpstreamSessionFactory {
    public func shutdown() async {}
}
