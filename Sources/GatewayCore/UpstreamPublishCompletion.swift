/// What to tell the client once the broker acknowledged (or failed) its PUBLISH.
enum UpstreamPublishCompletion: Hashable, Sendable {
    /// QoS 0 and -1: nothing.
    case none
    /// QoS 1: PUBACK.
    case publishAck(topicID: UInt16, messageID: UInt16)
    /// QoS 2: PUBREC (PUBACK "congestion" when it failed).
    case publishReceived(topicID: UInt16, messageID: UInt16)
}
