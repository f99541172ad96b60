import MQTTClient
import NIOCore

/// Notices a status session that keeps being taken over: another MQTT client connecting with the status session's
/// client id (a second bridge with the same `status.client_id`, or a copy of this host's machine id), so that the
/// broker drops one session each time the other connects and the two push each other off in turn.
///
/// ```
///   connected ──broker drops the session──► loss ──(threshold losses within window)──► one warning per window
///       ▲                                                                                         │
///       └──────────────────────────────────────── reconnect ◄─────────────────────────────────────┘
/// ```
///
/// A loss counts when the broker ended a connection that had been accepted: an MQTT 5 DISCONNECT with reason
/// "session taken over" (0x8E), or, as MQTT 3.1.1 gives no reason, the broker closing the connection. A value; its
/// owner passes the time in.
struct StatusTakeoverWatch {
    /// How many losses within ``window`` make the warning.
    static let threshold = 3
    /// The span the losses are counted over, and the least time between two warnings.
    static let window = TimeAmount.minutes(5)

    /// When the recent losses happened, oldest first; at most ``threshold``.
    private var losses: [NIODeadline] = []
    private var lastWarning: NIODeadline?

    /// Records the end of an accepted connection; returns how many losses the window holds when it is time to warn.
    mutating func connectionLost(_ error: (any Error)?, now: NIODeadline) -> Int? {
        guard Self.isTakeover(error) else { return nil }
        losses.append(now)
        losses.removeAll { now - $0 > Self.window }
        if losses.count > Self.threshold { losses.removeFirst(losses.count - Self.threshold) }
        guard losses.count >= Self.threshold else { return nil }
        if let lastWarning, now - lastWarning < Self.window { return nil }
        lastWarning = now
        return losses.count
    }

    /// Whether a lost connection looks like a takeover: the broker's doing, not the network's or ours.
    static func isTakeover(_ error: (any Error)?) -> Bool {
        guard let error = error as? MQTTConnectionError else { return false }
        switch error {
        case .serverDisconnected: return error.reasonCode == nil || error.reasonCode == .sessionTakenOver
        case .connectionClosed: return true
        default: return false
        }
    }
}
