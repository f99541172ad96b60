/// ADVERTISE (0x00): a gateway announcing itself periodically.
///
/// ```
/// +--------+------+------+--------------+
/// | Length | 0x00 | GwId |   Duration   |
/// |   1    |  1   |  1   | 2 big-endian |
/// +--------+------+------+--------------+
/// ```
public struct MQTTSNAdvertise: Sendable, Hashable {
    /// The gateway's id.
    public var gatewayID: UInt8
    /// Seconds until the next ADVERTISE.
    public var duration: UInt16

    public init(gatewayID: UInt8, duration: UInt16) {
        self.gatewayID = gatewayID
        self.duration = duration
    }
}
