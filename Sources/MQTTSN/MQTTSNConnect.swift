/// CONNECT (0x04): a client opening a session.
///
/// ```
/// +--------+------+-------+------------+--------------+----------+
/// | Length | 0x04 | Flags | ProtocolId |   Duration   | ClientId |
/// |   1    |  1   |   1   | 1 (= 0x01) | 2 big-endian |  1...n   |
/// +--------+------+-------+------------+--------------+----------+
/// Flags: Will (bit 3) and CleanSession (bit 2); the other bits are not relevant.
/// ```
public struct MQTTSNConnect: Sendable, Hashable {
    /// The only `ProtocolId` MQTT-SN v1.2 defines.
    public static let protocolID: UInt8 = 0x01

    /// The client will send a will topic and message when asked (WILLTOPICREQ / WILLMSGREQ).
    public var will: Bool
    /// Discard any previous session of this client.
    public var cleanSession: Bool
    /// The keep-alive period in seconds.
    public var duration: UInt16
    /// The client id, UTF-8, never empty.
    public var clientID: String

    public init(will: Bool = false, cleanSession: Bool = true, duration: UInt16, clientID: String) {
        self.will = will
        self.cleanSession = cleanSession
        self.duration = duration
        self.clientID = clientID
    }
}
