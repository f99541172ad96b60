/// WILLMSGRESP (0x1D): the answer to WILLMSGUPD.
///
/// ```
/// +--------+------+------------+
/// | Length | 0x1D | ReturnCode |
/// |   1    |  1   |     1      |
/// +--------+------+------------+
/// ```
public struct MQTTSNWillMessageResponse: Sendable, Hashable {
    /// Whether the update was accepted.
    public var returnCode: MQTTSNReturnCode

    public init(returnCode: MQTTSNReturnCode) {
        self.returnCode = returnCode
    }
}
