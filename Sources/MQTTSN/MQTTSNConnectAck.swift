/// CONNACK (0x05): the gateway's answer to CONNECT.
///
/// ```
/// +--------+------+------------+
/// | Length | 0x05 | ReturnCode |
/// |   1    |  1   |     1      |
/// +--------+------+------------+
/// ```
public struct MQTTSNConnectAck: Sendable, Hashable {
    /// Whether the connection was accepted.
    public var returnCode: MQTTSNReturnCode

    public init(returnCode: MQTTSNReturnCode) {
        self.returnCode = returnCode
    }
}
