import Synchronization

/// End-to-end flow control for a QoS 0 closed loop: the collector counts what reached the subscriber, and a
/// publisher whose window is full parks until that count moves.
///
/// Parking is a flag, so the collector only hops to the publisher's event loop once per stall, not per message.
final class DeliveryCredit: Sendable {
    let delivered = Atomic<Int>(0)
    private let parked = Atomic<Bool>(false)
    private let wake: @Sendable () -> Void

    init(wake: @escaping @Sendable () -> Void) {
        self.wake = wake
    }

    /// Called by the collector for every message of this publisher.
    func deliveredOne() {
        delivered.add(1, ordering: .releasing)
        if parked.exchange(false, ordering: .acquiringAndReleasing) { wake() }
    }

    /// Called by the publisher when its window is full; returns false (and stays unparked) when a delivery raced
    /// in and there is room again, so a wake-up is never lost.
    func park(sent: Int, window: Int) -> Bool {
        parked.store(true, ordering: .sequentiallyConsistent)
        if sent - delivered.load(ordering: .sequentiallyConsistent) < window {
            if parked.exchange(false, ordering: .acquiringAndReleasing) { return false }
        }
        return true
    }
}
