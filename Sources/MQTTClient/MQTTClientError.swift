/// Why a publish, subscribe or unsubscribe failed.
///
/// Errors compare equal by kind (and reason code for ``rejected(_:)``); ``description`` carries the details.
public struct MQTTClientError: Error, Hashable, CustomStringConvertible {
    fileprivate enum Kind: Hashable, Sendable {
        case notConnected
        case packetTooLarge
        case rejected(UInt8)
        case connectionLost
        case packetIdentifiersExhausted
        case qosNotSupported
        case encodingFailed
        case noTopicFilters
        case queueFull
        case congested
    }

    private let kind: Kind
    /// The MQTT 5.0 reason code the broker answered with, for ``rejected(_:)``.
    public let reasonCode: MQTTReasonCode?
    public let description: String

    private init(_ kind: Kind, reasonCode: MQTTReasonCode? = nil, _ description: String) {
        self.kind = kind
        self.reasonCode = reasonCode
        self.description = description
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.kind == rhs.kind }
    public func hash(into hasher: inout Hasher) { hasher.combine(kind) }

    /// The client has no accepted connection (and, for QoS 0 or without a reconnect policy, will not queue).
    public static let notConnected = Self(.notConnected, "the client is not connected")
    /// The packet exceeds the broker's Maximum Packet Size; it was not sent.
    public static let packetTooLarge = Self(.packetTooLarge, "the packet exceeds the broker's maximum packet size")
    /// The connection was lost before the broker acknowledged; a persistent session may still deliver it.
    public static let connectionLost = Self(.connectionLost, "the connection was lost before the broker acknowledged")
    /// All 65,535 packet identifiers are in use.
    public static let packetIdentifiersExhausted = Self(
        .packetIdentifiersExhausted,
        "every packet identifier is in use"
    )
    /// The QoS exceeds the broker's Maximum QoS.
    public static let qosNotSupported = Self(.qosNotSupported, "the broker does not support this QoS")
    /// ``MQTTClientConfiguration/maximumQueuedPublishes`` publishes are already waiting.
    public static let queueFull = Self(.queueFull, "too many publishes are already waiting to be sent")
    /// A QoS 0 publish found the connection's write buffer above its high-water mark (the broker is not reading as
    /// fast as we publish); it was dropped rather than buffered without bound. See ``MQTTClient/isWritable``.
    public static let congested = Self(
        .congested,
        "the connection's write buffer is full; the QoS 0 message was dropped"
    )
    /// SUBSCRIBE and UNSUBSCRIBE need at least one topic filter.
    public static let noTopicFilters = Self(.noTopicFilters, "SUBSCRIBE and UNSUBSCRIBE need at least one topic filter")
    /// The packet could not be encoded (a string or binary field over 65,535 bytes...).
    public static let encodingFailed = Self(.encodingFailed, "the packet could not be encoded")

    /// The broker answered with an MQTT 5.0 failure reason code (PUBACK, PUBREC or UNSUBACK).
    public static func rejected(_ reasonCode: MQTTReasonCode) -> Self {
        Self(.rejected(reasonCode.rawValue), reasonCode: reasonCode, "the broker refused: \(reasonCode)")
    }

    static func packetTooLarge(size: Int, maximum: Int) -> Self {
        Self(.packetTooLarge, "a packet of \(size) bytes exceeds the broker's maximum packet size of \(maximum) bytes")
    }

    static func qosNotSupported(_ qos: MQTTQoS, maximum: MQTTQoS) -> Self {
        Self(.qosNotSupported, "QoS \(qos.rawValue) exceeds the broker's maximum QoS \(maximum.rawValue)")
    }

    static func encodingFailed(_ underlying: any Error) -> Self {
        Self(.encodingFailed, "the packet could not be encoded: \(underlying)")
    }
}
