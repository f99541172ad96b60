import Foundation
import GatewayCore
import MQTTSNTransport
import NIOCore

/// One MQTT-SN session as `/api/sessions` and the status page show it.
struct SessionRecord: Sendable, Hashable, Codable {
    var clientID: String
    /// `udp:192.0.2.7:50000` or `serial:/dev/ttyACM0`.
    var address: String
    /// `udp` or `serial`.
    var transport: String
    var state: String
    var topics: Int
    var pendingMessages: Int
    var upstreamInFlight: Int
    var messagesIn: Int
    var messagesOut: Int
    var lastHeard: Date?

    init(_ snapshot: GatewaySessionSnapshot, now: NIODeadline, wallNow: Date) {
        clientID = snapshot.clientID
        address = snapshot.address.displayName
        transport = snapshot.address.socketAddress == nil ? "serial" : "udp"
        state = snapshot.state.rawValue
        topics = snapshot.topicCount
        pendingMessages = snapshot.pendingMessages
        upstreamInFlight = snapshot.upstreamInFlight
        messagesIn = snapshot.messagesIn
        messagesOut = snapshot.messagesOut
        lastHeard = snapshot.lastHeard.map { Self.wallClock($0, now: now, wallNow: wallNow) }
    }

    /// A time on the gateway's monotonic clock as wall-clock time.
    static func wallClock(_ deadline: NIODeadline, now: NIODeadline, wallNow: Date) -> Date {
        wallNow.addingTimeInterval(-Double((now - deadline).nanoseconds) / 1e9)
    }

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id"
        case address, transport, state, topics
        case pendingMessages = "pending_messages"
        case upstreamInFlight = "upstream_in_flight"
        case messagesIn = "messages_in"
        case messagesOut = "messages_out"
        case lastHeard = "last_heard"
    }
}
