/// PINGREQ (0x16): a keep-alive, or a sleeping client waking up to collect its buffered messages.
///
/// ```
/// +--------+------+-----------------+
/// | Length | 0x16 | ClientId (opt.) |
/// |   1    |  1   |        n        |
/// +--------+------+-----------------+
/// ```
public struct MQTTSNPingRequest: Sendable, Hashable {
    /// The client id of a sleeping client going awake; `nil` for a plain keep-alive. An empty
    /// string encodes like `nil`.
    public var clientID: String?

    public init(clientID: String? = nil) {
        self.clientID = clientID
    }
}
