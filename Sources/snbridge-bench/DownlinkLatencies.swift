/// The downlink latencies of the devices on one event loop: one histogram per loop rather than one per device
/// (each is a million buckets), recorded only for messages sent inside the measurement window.
///
/// Confined to its event loop.
final class DownlinkLatencies: @unchecked Sendable {
    private(set) var histogram = LatencyHistogram()
    private var windowStart: UInt64 = .max
    private var windowEnd: UInt64 = .max

    func openWindow(at start: UInt64) { windowStart = start }

    func closeWindow(at end: UInt64) { windowEnd = end }

    func record(sendTime: UInt64, now: UInt64) {
        guard sendTime >= windowStart && sendTime <= windowEnd else { return }
        histogram.record(nanoseconds: now &- sendTime)
    }
}
