import Foundation
import NIOCore

/// Runs one load (closed loop or paced) over a set of publishers and measures it: warm-up, a measurement window
/// with snapshots of every counter and of the processes' CPU and memory, then a bounded drain to count losses.
struct LoadMeasurement {
    let context: BenchContext
    let publishers: [any LoadPublisher]
    let run: PublishRun
    let offeredRate: Double?
    let bridge: BridgeProcess?
    var seconds: Double
    var warmupSeconds: Double

    func measure(scenario: String, path: String) async throws -> ScenarioResult {
        let collector = context.collector
        let credits = publishers.map { publisher in
            DeliveryCredit { [publisher] in publisher.eventLoop.execute { publisher.fill() } }
        }
        let dropsBefore = bridge.map { UDPSocketDrops.count(localPort: $0.udpPort) } ?? 0
        let brokerDroppedBefore = collector.brokerDropped.load(ordering: .relaxed)
        try await collector.begin(runID: run.runID, credits: credits)
        let sentBefore = totals()
        for (publisher, credit) in zip(publishers, credits) {
            publisher.eventLoop.execute { publisher.begin(run, credit: credit) }
        }
        var pacers: [RatePacer] = []
        if let offeredRate, run.mode == .paced {
            var byLoop: [ObjectIdentifier: (any EventLoop, [any LoadPublisher])] = [:]
            for publisher in publishers {
                byLoop[ObjectIdentifier(publisher.eventLoop), default: (publisher.eventLoop, [])].1.append(publisher)
            }
            for (loop, members) in byLoop.values {
                let share = offeredRate * Double(members.count) / Double(publishers.count)
                pacers.append(RatePacer(eventLoop: loop, publishers: members, messagesPerSecond: share))
            }
            for pacer in pacers { pacer.start() }
        }

        try await Task.sleep(for: .seconds(warmupSeconds))
        let start = Snapshot.take(totals: totals(), collector: collector, bridge: bridge, broker: context.broker)
        try await collector.openWindow(at: start.at)
        try await Task.sleep(for: .seconds(seconds))
        let end = Snapshot.take(totals: totals(), collector: collector, bridge: bridge, broker: context.broker)
        try await collector.closeWindow(at: end.at)

        for pacer in pacers { await pacer.stop() }
        for publisher in publishers {
            try await publisher.eventLoop.submit { publisher.end() }.get()
        }
        // Drain: everything sent should arrive (and QoS 1 be acknowledged) within a few seconds, or it is lost.
        let drainDeadline = MonotonicClock.nanoseconds() + (context.options.quick ? 2 : 5) * 1_000_000_000
        var final = totals()
        while MonotonicClock.nanoseconds() < drainDeadline {
            final = totals()
            let received = collector.received.load(ordering: .relaxed)
            let sent = final.sent - sentBefore.sent
            let answered = final.acknowledged + final.rejected - sentBefore.acknowledged - sentBefore.rejected
            if received >= sent && (run.qos == 0 || answered >= sent) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        final = totals()
        let received = collector.received.load(ordering: .relaxed)
        let sent = final.sent - sentBefore.sent
        let histogram = try await collector.latencies()
        let wall = Double(end.at - start.at) / 1e9

        var result = ScenarioResult(scenario: scenario, path: path)
        result.clients = publishers.count
        result.qos = run.qos
        result.payloadBytes = run.payloadSize
        result.mode = run.mode == .closedLoop ? "closed" : "rate"
        result.window = run.mode == .closedLoop || run.qos == 1 ? run.window : nil
        result.offeredPerSecond = run.mode == .paced ? offeredRate : nil
        result.seconds = wall
        result.sent = sent
        result.received = received
        result.acknowledged = run.qos == 1 ? final.acknowledged - sentBefore.acknowledged : nil
        result.rejected = run.qos == 1 ? final.rejected - sentBefore.rejected : nil
        result.shed = (final.shed - sentBefore.shed) + pacers.reduce(0) { $0 + $1.shed.load(ordering: .relaxed) }
        result.lost = max(0, sent - received)
        if result.lost! > 0 && brokerDroppedBefore >= 0 {
            // $SYS is refreshed every second: wait for a value taken after the drain.
            try await Task.sleep(for: .milliseconds(1_200))
            result.droppedByBroker = collector.brokerDropped.load(ordering: .relaxed) - brokerDroppedBefore
        }
        if let bridge {
            result.droppedAtBridgeSocket = UDPSocketDrops.count(localPort: bridge.udpPort) - dropsBefore
        }
        result.deliveredPerSecond = Double(end.received - start.received) / wall
        result.apply(histogram)
        result.machineLoad = MachineLoad.oneMinuteAverage()
        if let before = start.bridge, let after = end.bridge {
            result.bridgeCPU = after.coreShare(since: before)
            result.bridgeResidentBytes = after.residentBytes
        }
        if let before = start.broker, let after = end.broker { result.brokerCPU = after.coreShare(since: before) }
        if let before = start.bench, let after = end.bench { result.benchCPU = after.coreShare(since: before) }
        return result
    }

    private func totals() -> Totals {
        var totals = Totals()
        for publisher in publishers {
            totals.sent += publisher.counters.sent.load(ordering: .relaxed)
            totals.acknowledged += publisher.counters.acknowledged.load(ordering: .relaxed)
            totals.rejected += publisher.counters.rejected.load(ordering: .relaxed)
            totals.shed += publisher.counters.shed.load(ordering: .relaxed)
        }
        return totals
    }

    struct Totals {
        var sent = 0
        var acknowledged = 0
        var rejected = 0
        var shed = 0
    }

    /// Counters and process figures at one instant.
    struct Snapshot {
        var at: UInt64
        var totals: Totals
        var received: Int
        var bridge: ProcessSample?
        var broker: ProcessSample?
        var bench: ProcessSample?

        static func take(
            totals: Totals,
            collector: MessageCollector,
            bridge: BridgeProcess?,
            broker: BenchBroker
        ) -> Snapshot {
            Snapshot(
                at: MonotonicClock.nanoseconds(),
                totals: totals,
                received: collector.received.load(ordering: .relaxed),
                bridge: bridge.flatMap { ProcessSample.read(pid: $0.pid) },
                broker: ProcessSample.read(pid: broker.pid),
                bench: ProcessSample.read(pid: getpid())
            )
        }
    }
}
