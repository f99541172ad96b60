import Foundation

/// One message in the outage buffer: accepted from a client while the broker was unreachable, to be published in
/// order once it is back.
public struct OutageMessage: Sendable, Hashable {
    /// The client whose upstream session publishes it.
    public var clientID: String
    /// The MQTT topic name.
    public var topic: String
    public var payload: Data
    /// 1 or 2 (QoS 0 is never buffered, but the store does not judge).
    public var qos: UInt8
    public var retain: Bool
    /// The position in the buffer, set by ``SessionStore/appendOutage(_:)``: larger is later, over all clients and
    /// across restarts.
    public internal(set) var sequence: UInt64
    /// When it was accepted.
    public internal(set) var enqueuedAt: Date

    public init(clientID: String, topic: String, payload: Data, qos: UInt8, retain: Bool = false) {
        self.clientID = clientID
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.sequence = 0
        self.enqueuedAt = Date(timeIntervalSince1970: 0)
    }

    /// What the message counts against the caps: topic name plus payload, in bytes.
    public var size: Int { topic.utf8.count + payload.count }

    /// Topic names are at most this long (UTF-8 bytes), as in MQTT.
    public static let maximumTopicBytes = 65_535
    /// Payloads are at most this long; an MQTT-SN PUBLISH cannot carry more.
    public static let maximumPayloadBytes = 65_535

    var problem: SessionStoreError? {
        if let problem = SessionStoreError.clientIDProblem(clientID) { return problem }
        if topic.isEmpty { return .invalid(clientID: clientID, reason: "outage message without a topic") }
        if topic.utf8.count > Self.maximumTopicBytes {
            return .tooLarge(clientID: clientID, what: "topic", bytes: topic.utf8.count, limit: Self.maximumTopicBytes)
        }
        if payload.count > Self.maximumPayloadBytes {
            return .tooLarge(clientID: clientID, what: "payload", bytes: payload.count, limit: Self.maximumPayloadBytes)
        }
        if qos > 2 { return .invalid(clientID: clientID, reason: "QoS \(qos)") }
        return nil
    }
}
