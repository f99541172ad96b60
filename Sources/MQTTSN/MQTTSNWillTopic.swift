/// WILLTOPIC (0x07): a client's will topic, QoS and retain flag.
///
/// ```
/// +--------+------+-------+-----------+
/// | Length | 0x07 | Flags | WillTopic |
/// |   1    |  1   |   1   |   1...n   |
/// +--------+------+-------+-----------+
/// Flags: QoS (bits 6-5, not -1) and Retain (bit 4); the other bits are not relevant.
///
/// An empty WILLTOPIC, which deletes the will, is only the header:
/// +--------+------+
/// | 0x02   | 0x07 |
/// +--------+------+
/// ```
public struct MQTTSNWillTopic: Sendable, Hashable {
    /// The will, or `nil` for the empty WILLTOPIC that deletes it.
    public var will: MQTTSNWill?

    public init(will: MQTTSNWill?) {
        self.will = will
    }
}
