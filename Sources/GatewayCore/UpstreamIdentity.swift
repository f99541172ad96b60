/// A weak reference to an upstream session, set right after the session is made, so that callbacks created
/// before it can recognise it. Only touched on the gateway's event loop.
final class UpstreamIdentity: @unchecked Sendable {
    weak var session: (any UpstreamSession)?
}
