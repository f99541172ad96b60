/// Why a packet value cannot be put on the wire.
///
/// The packet structs accept any field values so that they are easy to build; the encoder then refuses the ones
/// a conforming peer would reject, so that everything this module encodes it also decodes.
public struct MQTTSNEncodingError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case messageTooLarge(length: Int)
        case emptyClientID
        case emptyTopicName
        case invalidQoS(MQTTSNQoS)
        case invalidRadius(UInt8)
        case nestedForwarderEncapsulation
    }

    private let code: Code

    private init(_ code: Code) {
        self.code = code
    }

    /// The message would be longer than the 65535 octets the length field can express.
    public static func messageTooLarge(length: Int) -> Self {
        Self(.messageTooLarge(length: length))
    }

    /// CONNECT with an empty client id.
    public static let emptyClientID = Self(.emptyClientID)

    /// REGISTER, SUBSCRIBE or UNSUBSCRIBE with an empty topic name, or a will topic with an empty name (use
    /// `nil` for the empty WILLTOPIC that deletes the will).
    public static let emptyTopicName = Self(.emptyTopicName)

    /// QoS -1 outside PUBLISH.
    public static func invalidQoS(_ qos: MQTTSNQoS) -> Self {
        Self(.invalidQoS(qos))
    }

    /// A forwarder encapsulation radius above 3; it has two bits on the wire.
    public static func invalidRadius(_ radius: UInt8) -> Self {
        Self(.invalidRadius(radius))
    }

    /// A forwarder encapsulation wrapping another one.
    public static let nestedForwarderEncapsulation = Self(.nestedForwarderEncapsulation)

    public var description: String {
        switch self.code {
        case .messageTooLarge(let length):
            "MQTT-SN message of \(length) octets exceeds the 65535 the length field can express"
        case .emptyClientID:
            "MQTT-SN CONNECT needs a non-empty client id"
        case .emptyTopicName:
            "MQTT-SN topic name must not be empty"
        case .invalidQoS(let qos):
            "MQTT-SN QoS \(qos.level) is only allowed in PUBLISH"
        case .invalidRadius(let radius):
            "MQTT-SN forwarder radius \(radius) does not fit in two bits"
        case .nestedForwarderEncapsulation:
            "MQTT-SN forwarder encapsulation must not wrap another one"
        }
    }
}
