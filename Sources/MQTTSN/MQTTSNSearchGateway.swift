/// SEARCHGW (0x01): a client looking for a gateway.
///
/// ```
/// +--------+------+--------+
/// | Length | 0x01 | Radius |
/// |   1    |  1   |   1    |
/// +--------+------+--------+
/// ```
public struct MQTTSNSearchGateway: Sendable, Hashable {
    /// The broadcast radius, in hops.
    public var radius: UInt8

    public init(radius: UInt8) {
        self.radius = radius
    }
}
