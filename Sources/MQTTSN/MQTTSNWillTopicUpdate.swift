/// WILLTOPICUPD (0x1A): a connected client changing or deleting its will topic.
///
/// ```
/// +--------+------+-------+-----------+
/// | Length | 0x1A | Flags | WillTopic |
/// |   1    |  1   |   1   |   1...n   |
/// +--------+------+-------+-----------+
/// Flags: QoS (bits 6-5, not -1) and Retain (bit 4); the other bits are not relevant.
/// An empty WILLTOPICUPD (Length 0x02) deletes the will.
/// ```
public struct MQTTSNWillTopicUpdate: Sendable, Hashable {
    /// The new will, or `nil` to delete it.
    public var will: MQTTSNWill?

    public init(will: MQTTSNWill?) {
        self.will = will
    }
}
