import NIOCore
import Synchronization

/// What one MQTT-SN device received of a downlink run: every sequence number once, with duplicates, gaps in the
/// order and messages of other runs counted apart, and the latency of each first copy.
///
/// ```
///  DownlinkPublisher ──QoS 1──▶ mosquitto ──▶ snbridge ──PUBLISH──▶ SNLoadClient ──▶ DownlinkReceiver
///         ▲                                                                             │
///         └──────────────────── window credit (same event loop) ◀───────────────────────┘
/// ```
///
/// Confined to the device's event loop, except the counters the scenario polls.
final class DownlinkReceiver: @unchecked Sendable {
    let runID: UInt32
    /// The index of the publisher whose messages this device expects (its own in the downlink scenario, the one
    /// fan-out publisher's in the fan-out scenario).
    let clientIndex: UInt32
    /// Distinct messages of this run.
    let unique = Atomic<Int>(0)
    /// Second and later copies of a message (a retransmission the device had already acknowledged).
    let duplicates = Atomic<Int>(0)
    /// First copies that arrived after a later sequence number (per-device order broken).
    let outOfOrder = Atomic<Int>(0)
    /// Benchmark messages of another run or another device: misrouted, or stragglers.
    let foreign = Atomic<Int>(0)

    // Confined to the event loop.
    private(set) var uniqueCount = 0
    private var seen: [UInt64] = []
    private var highest = -1
    private let latencies: DownlinkLatencies
    /// Called after each first copy, so the publisher can send the next message of its window.
    var onDelivered: (() -> Void)?

    init(runID: UInt32, clientIndex: UInt32, latencies: DownlinkLatencies) {
        self.runID = runID
        self.clientIndex = clientIndex
        self.latencies = latencies
    }

    func receive(_ payload: ByteBuffer) {
        let now = MonotonicClock.nanoseconds()
        guard let header = BenchPayload.read(payload), header.runID == runID, header.clientIndex == clientIndex else {
            foreign.add(1, ordering: .relaxed)
            return
        }
        let sequence = Int(header.sequence)
        let word = sequence >> 6
        if word >= seen.count { seen.append(contentsOf: repeatElement(0, count: word - seen.count + 1)) }
        let bit: UInt64 = 1 << UInt64(sequence & 63)
        guard seen[word] & bit == 0 else {
            duplicates.add(1, ordering: .relaxed)
            return
        }
        seen[word] |= bit
        if sequence < highest { outOfOrder.add(1, ordering: .relaxed) }
        highest = max(highest, sequence)
        uniqueCount += 1
        unique.add(1, ordering: .relaxed)
        latencies.record(sendTime: header.sendTime, now: now)
        onDelivered?()
    }
}
