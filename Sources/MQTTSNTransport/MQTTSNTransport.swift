import NIOCore

/// Something that carries encoded MQTT-SN messages between clients and the gateway: UDP, a serial line, ...
///
/// A transport knows nothing of MQTT-SN semantics. Outbound, the gateway hands it whole encoded messages and an
/// address; inbound, the transport hands raw bytes and the sender's address to its ``MQTTSNInboundHandler``, which
/// decodes them. Decoding in one place means malformed input is counted and logged the same way for every transport.
///
/// Implementations must accept ``send(_:to:)`` and ``flush()`` from any thread; the gateway calls them from its
/// own event loop, so a transport whose channel lives on that loop does no hop.
public protocol MQTTSNTransport: AnyObject, Sendable {
    /// A short name for logs and metrics, e.g. `udp` or `serial`.
    var name: String { get }

    /// Whether this transport can reach `address` (a UDP transport answers `true` for `.udp` addresses).
    func canReach(_ address: MQTTSNClientAddress) -> Bool

    /// Queues one encoded MQTT-SN message for `address`. It is written on the next ``flush()``.
    ///
    /// When the address names a wireless node behind a forwarder, the transport encapsulates the message for it
    /// (specification section 5.5), in band or in its own framing as its medium requires; the gateway always
    /// passes the plain message.
    func send(_ message: ByteBuffer, to address: MQTTSNClientAddress)

    /// The largest encoded MQTT-SN message this transport can carry to `address` (without any encapsulation it
    /// adds itself), or `nil` for no limit of its own. A serial link answers with its negotiated frame size less
    /// the framing; the gateway does not send larger messages to that client at all.
    func maximumMessageSize(for address: MQTTSNClientAddress) -> Int?

    /// Writes everything queued by ``send(_:to:)``. The gateway flushes once per inbound burst and per timer tick,
    /// not once per message.
    func flush()
}

extension MQTTSNTransport {
    /// No limit of the transport's own (UDP: the gateway's maximum message size applies).
    public func maximumMessageSize(for address: MQTTSNClientAddress) -> Int? {
        nil
    }
}
