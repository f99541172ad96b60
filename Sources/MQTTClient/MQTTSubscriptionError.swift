/// Why the broker refused a topic filter in SUBACK. Equal when the reason codes are equal.
public struct MQTTSubscriptionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The SUBACK reason code (0x80 and above).
    public let reasonCode: MQTTReasonCode

    public init(reasonCode: MQTTReasonCode) {
        self.reasonCode = reasonCode
    }

    public var description: String { "subscription refused: \(reasonCode)" }

    /// MQTT 3.1.1's only failure code, and MQTT 5.0's unspecified error (0x80).
    public static let failure = Self(reasonCode: .unspecifiedError)
    /// 0x87: an ACL forbids this filter.
    public static let notAuthorized = Self(reasonCode: .notAuthorized)
    /// 0x8F: the filter is malformed.
    public static let topicFilterInvalid = Self(reasonCode: .topicFilterInvalid)
    /// 0x83
    public static let implementationSpecificError = Self(reasonCode: .implementationSpecificError)
    /// 0x97
    public static let quotaExceeded = Self(reasonCode: .quotaExceeded)
    /// 0x9E
    public static let sharedSubscriptionsNotSupported = Self(reasonCode: .sharedSubscriptionsNotSupported)
    /// 0xA2
    public static let wildcardSubscriptionsNotSupported = Self(reasonCode: .wildcardSubscriptionsNotSupported)
}
