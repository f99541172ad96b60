import NIOCore

/// GWINFO (0x02): the answer to SEARCHGW.
///
/// ```
/// +--------+------+------+--------------+
/// | Length | 0x02 | GwId | GwAdd (opt.) |
/// |   1    |  1   |  1   |      n       |
/// +--------+------+------+--------------+
/// ```
public struct MQTTSNGatewayInfo: Sendable, Hashable {
    /// The gateway's id.
    public var gatewayID: UInt8
    /// The gateway's network address, only present when a client answers on a gateway's behalf.
    /// Its format depends on the network, so it stays raw octets. `nil` and an empty buffer both encode as
    /// no address; decoding gives `nil`.
    public var gatewayAddress: ByteBuffer?

    public init(gatewayID: UInt8, gatewayAddress: ByteBuffer? = nil) {
        self.gatewayID = gatewayID
        self.gatewayAddress = gatewayAddress
    }
}
