import MQTTSN
import NIOCore

extension ClientSessionStateMachine {
    /// Whether the session outlives its client's connection, and is therefore what the session store keeps: clean
    /// session off (kept across DISCONNECT, loss and restarts), or a sleeping client (its buffer waits for it).
    /// A new session still in its connect exchange has nothing to keep yet (``record`` is `nil`).
    var outlivesConnection: Bool {
        !self.cleanSession || self.sleepDuration != nil
    }

    /// The upstream acknowledgements of the broker messages buffered for a sleeping client, taken out of its queue.
    ///
    /// The caller stores the session first (its record holds these messages) and acknowledges them upstream once
    /// that is durable: from then on the store, not the broker, keeps them for the client, so a crash of the bridge
    /// neither loses them (the broker let go of them) nor delivers them twice (the broker does not send them again).
    /// An active or awake client acknowledges its messages itself, so its queue keeps the broker's flow control.
    mutating func takeAcknowledgementsOfBuffered() -> [UpstreamAcknowledgement] {
        guard case .asleep = self.state else { return [] }
        var acknowledgements: [UpstreamAcknowledgement] = []
        for index in self.queue.indices {
            if let acknowledgement = self.queue[index].acknowledgement {
                acknowledgements.append(acknowledgement)
                self.queue[index].acknowledgement = nil
            }
        }
        return acknowledgements
    }
}
