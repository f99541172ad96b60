/// WILLMSGREQ (0x08): the gateway asking a connecting client for its will message.
///
/// ```
/// +--------+------+
/// | Length | 0x08 |
/// |   1    |  1   |
/// +--------+------+
/// ```
public struct MQTTSNWillMessageRequest: Sendable, Hashable {
    public init() {}
}
