/// WILLTOPICRESP (0x1B): the answer to WILLTOPICUPD.
///
/// ```
/// +--------+------+------------+
/// | Length | 0x1B | ReturnCode |
/// |   1    |  1   |     1      |
/// +--------+------+------------+
/// ```
public struct MQTTSNWillTopicResponse: Sendable, Hashable {
    /// Whether the update was accepted.
    public var returnCode: MQTTSNReturnCode

    public init(returnCode: MQTTSNReturnCode) {
        self.returnCode = returnCode
    }
}
