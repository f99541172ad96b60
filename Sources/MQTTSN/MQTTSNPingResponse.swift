/// PINGRESP (0x17): the answer to PINGREQ.
///
/// ```
/// +--------+------+
/// | Length | 0x17 |
/// |   1    |  1   |
/// +--------+------+
/// ```
public struct MQTTSNPingResponse: Sendable, Hashable {
    public init() {}
}
