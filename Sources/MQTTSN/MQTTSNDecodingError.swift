/// Why bytes from a peer are not a well-formed MQTT-SN v1.2 message.
///
/// Every decoder in this module answers malformed input with one of these and never traps. Compare with the
/// static members (`error == .truncated`); the parameterised ones carry what was seen so that logs say exactly
/// what a device sent.
public struct MQTTSNDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case truncated
        case lengthMismatch(declared: Int, available: Int)
        case lengthTooSmall(declared: Int)
        case messageTooLarge(length: Int, limit: Int)
        case unknownMessageType(UInt8)
        case reservedTopicIDType
        case reservedFlags(UInt8)
        case invalidQoS(MQTTSNQoS)
        case invalidUTF8
        case emptyClientID
        case clientIDTooLong(length: Int, limit: Int)
        case emptyTopicName
        case topicNameTooLong(length: Int, limit: Int)
        case invalidProtocolID(UInt8)
        case trailingBytes(count: Int)
        case nestedForwarderEncapsulation
    }

    private let code: Code

    private init(_ code: Code) {
        self.code = code
    }

    /// The message ends before a field the message type requires.
    public static let truncated = Self(.truncated)

    /// The length field does not match the number of octets in the datagram or frame.
    public static func lengthMismatch(declared: Int, available: Int) -> Self {
        Self(.lengthMismatch(declared: declared, available: available))
    }

    /// The length field declares fewer octets than the length field and message type themselves take.
    public static func lengthTooSmall(declared: Int) -> Self {
        Self(.lengthTooSmall(declared: declared))
    }

    /// The message is longer than ``MQTTSNDecodingLimits/maximumMessageLength``.
    public static func messageTooLarge(length: Int, limit: Int) -> Self {
        Self(.messageTooLarge(length: length, limit: limit))
    }

    /// The `MsgType` octet is reserved by the specification.
    public static func unknownMessageType(_ type: UInt8) -> Self {
        Self(.unknownMessageType(type))
    }

    /// The topic id type bits hold the reserved pattern `0b11` where a topic id type is relevant.
    public static let reservedTopicIDType = Self(.reservedTopicIDType)

    /// Reserved bits are set in an octet whose other bits are all defined (the forwarder encapsulation's `Ctrl`).
    public static func reservedFlags(_ octet: UInt8) -> Self {
        Self(.reservedFlags(octet))
    }

    /// The QoS is not allowed here: QoS -1 outside PUBLISH (will QoS, requested or granted subscription QoS).
    public static func invalidQoS(_ qos: MQTTSNQoS) -> Self {
        Self(.invalidQoS(qos))
    }

    /// A client id or topic name is not valid UTF-8.
    public static let invalidUTF8 = Self(.invalidUTF8)

    /// CONNECT carries no client id.
    public static let emptyClientID = Self(.emptyClientID)

    /// A client id is longer than ``MQTTSNDecodingLimits/maximumClientIDLength``.
    public static func clientIDTooLong(length: Int, limit: Int) -> Self {
        Self(.clientIDTooLong(length: length, limit: limit))
    }

    /// A topic name is empty where one is required.
    public static let emptyTopicName = Self(.emptyTopicName)

    /// A topic name is longer than ``MQTTSNDecodingLimits/maximumTopicNameLength``.
    public static func topicNameTooLong(length: Int, limit: Int) -> Self {
        Self(.topicNameTooLong(length: length, limit: limit))
    }

    /// The `ProtocolId` of CONNECT is not 0x01.
    public static func invalidProtocolID(_ protocolID: UInt8) -> Self {
        Self(.invalidProtocolID(protocolID))
    }

    /// A message of fixed layout has octets after its last field.
    public static func trailingBytes(count: Int) -> Self {
        Self(.trailingBytes(count: count))
    }

    /// A forwarder encapsulation wraps another forwarder encapsulation, which the specification does not allow.
    public static let nestedForwarderEncapsulation = Self(.nestedForwarderEncapsulation)

    /// The length and limit of a client id refused as too long (``clientIDTooLong(length:limit:)``), else `nil`.
    public var clientIDOverrun: (length: Int, limit: Int)? {
        if case .clientIDTooLong(let length, let limit) = self.code { return (length, limit) }
        return nil
    }

    /// The length and limit of a topic name refused as too long (``topicNameTooLong(length:limit:)``), else `nil`.
    public var topicNameOverrun: (length: Int, limit: Int)? {
        if case .topicNameTooLong(let length, let limit) = self.code { return (length, limit) }
        return nil
    }

    public var description: String {
        switch self.code {
        case .truncated:
            "MQTT-SN message truncated: it ends before a required field"
        case .lengthMismatch(let declared, let available):
            "MQTT-SN length field declares \(declared) octets but \(available) are present"
        case .lengthTooSmall(let declared):
            "MQTT-SN length field declares \(declared) octets, fewer than its own header"
        case .messageTooLarge(let length, let limit):
            "MQTT-SN message of \(length) octets exceeds the limit of \(limit)"
        case .unknownMessageType(let type):
            "unknown MQTT-SN message type 0x\(String(type, radix: 16, uppercase: true))"
        case .reservedTopicIDType:
            "MQTT-SN topic id type uses the reserved value 0b11"
        case .reservedFlags(let octet):
            "MQTT-SN octet 0x\(String(octet, radix: 16, uppercase: true)) has reserved bits set"
        case .invalidQoS(let qos):
            "MQTT-SN QoS \(qos.level) is not allowed in this message"
        case .invalidUTF8:
            "MQTT-SN string is not valid UTF-8"
        case .emptyClientID:
            "MQTT-SN CONNECT has an empty client id"
        case .clientIDTooLong(let length, let limit):
            "MQTT-SN client id of \(length) octets exceeds the limit of \(limit)"
        case .emptyTopicName:
            "MQTT-SN topic name is empty"
        case .topicNameTooLong(let length, let limit):
            "MQTT-SN topic name of \(length) octets exceeds the limit of \(limit)"
        case .invalidProtocolID(let protocolID):
            "MQTT-SN CONNECT protocol id is 0x\(String(protocolID, radix: 16, uppercase: true)), expected 0x01"
        case .trailingBytes(let count):
            "MQTT-SN message has \(count) unexpected trailing octets"
        case .nestedForwarderEncapsulation:
            "MQTT-SN forwarder encapsulation wraps another forwarder encapsulation"
        }
    }
}
