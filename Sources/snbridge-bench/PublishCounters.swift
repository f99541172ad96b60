import Synchronization

/// One publisher's counts, written on its event loop and read by the scenario from another thread.
final class PublishCounters: Sendable {
    let sent = Atomic<Int>(0)
    /// QoS 1 publishes the bridge (or broker) acknowledged with return code "accepted".
    let acknowledged = Atomic<Int>(0)
    /// QoS 1 publishes acknowledged with a failure return code.
    let rejected = Atomic<Int>(0)
    /// Sends the pacer wanted but the in-flight window did not allow.
    let shed = Atomic<Int>(0)
}
