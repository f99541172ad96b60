/// WILLTOPICREQ (0x06): the gateway asking a connecting client for its will topic.
///
/// ```
/// +--------+------+
/// | Length | 0x06 |
/// |   1    |  1   |
/// +--------+------+
/// ```
public struct MQTTSNWillTopicRequest: Sendable, Hashable {
    public init() {}
}
