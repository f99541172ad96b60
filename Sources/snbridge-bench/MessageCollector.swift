import Foundation
import Logging
import MQTTClient
import NIOCore
import Synchronization

/// The subscriber on the broker: counts every benchmark message of the current run, returns QoS 0 closed-loop
/// credit to its publisher, and records the end-to-end latency of messages sent inside the measurement window.
///
/// Its state is confined to the subscriber's event loop, except the counters the scenario polls.
final class MessageCollector: @unchecked Sendable {
    let eventLoop: any EventLoop
    let received = Atomic<Int>(0)
    /// Messages of the current run sent before the window opened or after it closed, or from another run.
    let ignored = Atomic<Int>(0)
    /// Messages of the current run from direct-lane publishers (part of ``received``).
    let receivedDirectLane = Atomic<Int>(0)
    static let directLaneBit = 0x4000_0000
    /// mosquitto's own count of messages it dropped (`$SYS/broker/publish/messages/dropped`, refreshed every
    /// `sys_interval`), so a loss can be told apart: dropped by the broker, or never handed to it by the bridge.
    let brokerDropped = Atomic<Int>(-1)
    static let brokerDroppedTopic = "$SYS/broker/publish/messages/dropped"

    // Confined to the event loop.
    private var runID: UInt32 = 0
    private var credits: [DeliveryCredit] = []
    /// Latencies by lane: lane 1 for publishers whose index has ``directLaneBit`` set (the baseline running at the
    /// same time as the bridge), lane 0 for the rest.
    private var histograms = [LatencyHistogram(), LatencyHistogram()]
    private var windowStart: UInt64 = .max
    private var windowEnd: UInt64 = .max
    private var subscriber: MQTTClient?

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Connects the subscriber and subscribes to every benchmark topic at QoS 1 (messages keep their own QoS).
    func start(brokerPort: Int, logger: Logger) async throws {
        let client = MQTTClient(
            configuration: MQTTClientConfiguration(
                host: "127.0.0.1",
                port: brokerPort,
                clientID: "bench-collector",
                keepAlive: .seconds(600),
                maximumInFlight: 1024
            ),
            eventLoop: eventLoop,
            logger: logger,
            messageHandler: { [weak self] message in
                if message.topic == Self.brokerDroppedTopic {
                    let count = Int(String(buffer: message.payload).trimmingCharacters(in: .whitespaces)) ?? -1
                    self?.brokerDropped.store(count, ordering: .relaxed)
                } else {
                    self?.receive(message.payload)
                }
            }
        )
        try await client.connect()
        _ = try await client.subscribe([
            MQTTSubscription(topicFilter: "bench/#", qos: .atLeastOnce),
            MQTTSubscription(topicFilter: Self.brokerDroppedTopic, qos: .atMostOnce),
        ])
        try await eventLoop.submit { self.subscriber = client }.get()
    }

    func stop() async {
        let client = try? await eventLoop.submit { self.subscriber }.get()
        try? await client?.disconnect()
    }

    /// Starts counting `runID`; latencies are only recorded once ``openWindow(at:)`` was called.
    func begin(runID: UInt32, credits: [DeliveryCredit]) async throws {
        try await eventLoop.submit {
            self.runID = runID
            self.credits = credits
            self.histograms[0].reset()
            self.histograms[1].reset()
            self.windowStart = .max
            self.windowEnd = .max
            self.received.store(0, ordering: .relaxed)
            self.ignored.store(0, ordering: .relaxed)
            self.receivedDirectLane.store(0, ordering: .relaxed)
        }.get()
    }

    /// Messages sent (by their payload's send time) from `start` on are measured.
    func openWindow(at start: UInt64) async throws {
        try await eventLoop.submit { self.windowStart = start }.get()
    }

    /// Messages sent after `end` are counted but not measured.
    func closeWindow(at end: UInt64) async throws {
        try await eventLoop.submit { self.windowEnd = end }.get()
    }

    /// Every latency of the run, both lanes merged when `lane` is nil.
    func latencies(lane: Int? = nil) async throws -> LatencyHistogram {
        try await eventLoop.submit {
            guard let lane else {
                var merged = self.histograms[0]
                merged.merge(self.histograms[1])
                return merged
            }
            return self.histograms[lane]
        }.get()
    }

    private func receive(_ payload: ByteBuffer) {
        let now = MonotonicClock.nanoseconds()
        guard let header = BenchPayload.read(payload), header.runID == runID else {
            ignored.add(1, ordering: .relaxed)
            return
        }
        received.add(1, ordering: .relaxed)
        let index = Int(header.clientIndex)
        let lane = index & Self.directLaneBit != 0 ? 1 : 0
        if lane == 1 { receivedDirectLane.add(1, ordering: .relaxed) }
        if index < credits.count { credits[index].deliveredOne() }
        if header.sendTime >= windowStart && header.sendTime <= windowEnd {
            histograms[lane].record(nanoseconds: now &- header.sendTime)
        }
    }
}
