import NIOCore

/// Forwarder encapsulation (0xFE): an MQTT-SN message relayed between a gateway and a forwarder, tagged with the
/// wireless node it came from or goes to (specification section 5.5).
///
/// ```
/// +--------+------+------+----------------+-----------------------------+
/// | Length | 0xFE | Ctrl | WirelessNodeId | MQTT-SN message             |
/// |   1    |  1   |  1   |       n        | its own Length, MsgType ... |
/// +--------+------+------+----------------+-----------------------------+
/// |<------ Length counts only these ----->|
///
/// Ctrl:  7 ........ 2   1   0
///       +------------+-------+
///       |  reserved  | Radius|
///       +------------+-------+
/// ```
///
/// The encapsulated message is itself never a forwarder encapsulation.
public struct MQTTSNForwarderEncapsulation: Sendable, Hashable {
    /// The `Ctrl` bits that carry the radius; the others are reserved.
    static let radiusMask: UInt8 = 0b11

    /// The broadcast radius, 0...3 (two bits on the wire).
    public var radius: UInt8
    /// The wireless node's address as the forwarder knows it; opaque octets.
    public var wirelessNodeID: ByteBuffer
    /// The relayed message.
    public var message: MQTTSNPacket

    public init(radius: UInt8 = 0, wirelessNodeID: ByteBuffer, message: MQTTSNPacket) {
        self.radius = radius
        self.wirelessNodeID = wirelessNodeID
        self.message = message
    }
}
