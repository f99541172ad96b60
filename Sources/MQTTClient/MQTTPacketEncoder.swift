import NIOCore

/// Encodes packets for one connection, enforcing the peer's maximum packet size.
///
/// The limit starts at MQTT's absolute maximum and is lowered to the broker's Maximum Packet Size once an
/// MQTT 5.0 CONNACK announces one.
public struct MQTTPacketEncoder: Sendable {
    public var protocolVersion: MQTTProtocolVersion
    /// The largest packet the peer accepts, fixed header included.
    public var maximumPacketSize: Int

    public init(protocolVersion: MQTTProtocolVersion, maximumPacketSize: Int = MQTTPacket.absoluteMaximumPacketSize) {
        self.protocolVersion = protocolVersion
        self.maximumPacketSize = maximumPacketSize
    }

    /// Appends `packet` to `buffer`; nothing is appended when it throws.
    public func encode(_ packet: MQTTPacket, into buffer: inout ByteBuffer) throws {
        try packet.encode(into: &buffer, version: protocolVersion, maximumPacketSize: maximumPacketSize)
    }
}
