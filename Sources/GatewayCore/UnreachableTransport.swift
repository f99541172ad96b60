import MQTTSNTransport
import NIOCore

/// The transport of a session restored from the store whose client cannot be reached yet (its transport, a serial
/// port, is not open yet, or its address was not stored): it reaches nobody. The session gets its real transport
/// when the client is heard again (CONNECT or PINGREQ with its client id).
final class UnreachableTransport: MQTTSNTransport {
    var name: String { "unreachable" }

    func canReach(_ address: MQTTSNClientAddress) -> Bool { false }

    func send(_ message: ByteBuffer, to address: MQTTSNClientAddress) {}

    func flush() {}
}
