/// Hard caps a decoder applies before it trusts anything a peer sent.
///
/// The defaults suit a gateway for constrained devices: 1024-octet messages (a UDP datagram or serial frame of
/// a sensor is far smaller), client ids up to 64 octets and topic names up to 512 octets.
///
/// The specification limits client ids to 1...23 characters, but real devices often use longer ids built from
/// MAC addresses or serial numbers, and the upstream MQTT 3.1.1 / 5 brokers accept those. So the default is the
/// more forgiving 64; ``strict`` restores the specification's 23.
public struct MQTTSNDecodingLimits: Sendable, Hashable {
    /// The largest length the wire format can express with its three-octet length field.
    public static let largestEncodableMessageLength = 65_535

    /// The largest whole message (length field included) accepted, 4...65535.
    public var maximumMessageLength: Int {
        didSet { self.maximumMessageLength = Self.clampMessageLength(self.maximumMessageLength) }
    }
    /// The longest client id (in UTF-8 octets) accepted in CONNECT and PINGREQ.
    public var maximumClientIDLength: Int
    /// The longest topic name (in UTF-8 octets) accepted in REGISTER, SUBSCRIBE, UNSUBSCRIBE, WILLTOPIC and
    /// WILLTOPICUPD.
    public var maximumTopicNameLength: Int

    /// Creates limits; `maximumMessageLength` is clamped to 4...65535 because the wire format cannot say more and
    /// the shortest framed message with a three-octet length field has four octets.
    public init(maximumMessageLength: Int = 1024, maximumClientIDLength: Int = 64, maximumTopicNameLength: Int = 512) {
        self.maximumMessageLength = Self.clampMessageLength(maximumMessageLength)
        self.maximumClientIDLength = maximumClientIDLength
        self.maximumTopicNameLength = maximumTopicNameLength
    }

    /// The defaults: messages up to 1024 octets, client ids up to 64, topic names up to 512.
    public static let `default` = MQTTSNDecodingLimits()

    /// The specification's own client id limit of 23 characters, other limits as in ``default``.
    public static let strict = MQTTSNDecodingLimits(maximumClientIDLength: 23)

    private static func clampMessageLength(_ length: Int) -> Int {
        min(max(length, 4), Self.largestEncodableMessageLength)
    }
}
