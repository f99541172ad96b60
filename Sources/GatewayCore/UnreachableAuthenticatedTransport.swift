import MQTTSNTransport
import NIOCore

/// The transport of a DTLS client's session restored from the store: it reaches nobody and authenticates nobody,
/// and, being an authenticating transport, a plain datagram from the session's old address is not its client's
/// (``GatewayEngine/isSamePeer(_:address:via:)``). The session gets its real transport when its client connects
/// again through a new DTLS association.
final class UnreachableAuthenticatedTransport: MQTTSNAuthenticatingTransport {
    var name: String { "dtls (association ended)" }

    func canReach(_ address: MQTTSNClientAddress) -> Bool { false }

    func send(_ message: ByteBuffer, to address: MQTTSNClientAddress) {}

    func flush() {}

    func authenticatedNames(of address: MQTTSNClientAddress) -> [String]? { nil }
}
