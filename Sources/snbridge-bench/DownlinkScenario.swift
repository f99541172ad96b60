import Foundation
import NIOCore

/// The downlink direction: mosquitto publishes to 25 connected MQTT-SN devices through the bridge, QoS 1, each
/// publisher closed-loop on what its device has received (``DownlinkPublisher``), 32-byte payloads.
///
/// ```
///  25 x MQTTClient ──QoS 1 benchdown/<i>──▶ mosquitto ──▶ snbridge (25 upstream sessions) ──UDP──▶ 25 devices
/// ```
///
/// Each device acknowledges every PUBLISH at once and counts each sequence number once; after the window the
/// publishers stop and everything sent must arrive within the drain. Loss is sent minus distinct messages received;
/// duplicates and out-of-order first copies are reported beside it. Target: no loss, at least 10,000 msg/s.
struct DownlinkScenario {
    let context: BenchContext
    let devices = 25

    func run() async throws {
        let window = context.options.window
        context.progress("downlink: \(devices) devices subscribed through snbridge, QoS 1, window \(window) per device")
        let bridge = try await BridgeProcess.start(
            executable: context.options.snbridgePath,
            brokerPort: context.broker.port,
            eventLoops: context.options.bridgeEventLoops
        )
        var failure: (any Error)?
        var clients: [SNLoadClient] = []
        var publishers: [DownlinkPublisher] = []
        do {
            clients = try await ClientFleet.connectSN(count: devices, bridge: bridge, context: context)
            try await ClientFleet.forEach(clients, concurrency: 25) { client in
                try await client.subscribe(
                    topicName: DownlinkPublisher.topic(client.index),
                    timeout: .seconds(5),
                    attempts: 3
                )
            }
            publishers = clients.map {
                DownlinkPublisher(
                    index: $0.index,
                    brokerPort: context.broker.port,
                    eventLoop: $0.eventLoop,
                    logger: context.logger
                )
            }
            try await ClientFleet.forEach(publishers, concurrency: 25) { try await $0.connect() }
            let rounds = context.options.quick ? 1 : 3
            for _ in 0..<rounds {
                context.report(try await measure(clients: clients, publishers: publishers, bridge: bridge))
            }
        } catch {
            failure = error
        }
        for publisher in publishers { await publisher.close() }
        await ClientFleet.close(clients)
        await bridge.stop()
        if let failure { throw failure }
    }

    private func measure(
        clients: [SNLoadClient],
        publishers: [DownlinkPublisher],
        bridge: BridgeProcess
    ) async throws -> ScenarioResult {
        let run = PublishRun.closedLoopQoS1(context)
        // One latency histogram per event loop the devices run on.
        var lanes: [ObjectIdentifier: Lane] = [:]
        for client in clients where lanes[ObjectIdentifier(client.eventLoop)] == nil {
            lanes[ObjectIdentifier(client.eventLoop)] = Lane(
                eventLoop: client.eventLoop,
                latencies: DownlinkLatencies()
            )
        }
        var receivers: [DownlinkReceiver] = []
        for (client, publisher) in zip(clients, publishers) {
            let receiver = DownlinkReceiver(
                runID: run.runID,
                clientIndex: UInt32(client.index),
                latencies: lanes[ObjectIdentifier(client.eventLoop)]!.latencies
            )
            receivers.append(receiver)
            try await client.eventLoop.submit {
                client.downlink = receiver
                publisher.begin(run, receiver: receiver)
            }.get()
        }
        let seconds = context.options.measureSeconds
        try await Task.sleep(for: .seconds(context.options.warmupSeconds))
        let startAt = MonotonicClock.nanoseconds()
        let startReceived = receivers.reduce(0) { $0 + $1.unique.load(ordering: .relaxed) }
        let bridgeBefore = ProcessSample.read(pid: bridge.pid)
        let brokerBefore = ProcessSample.read(pid: context.broker.pid)
        for lane in lanes.values {
            try await lane.eventLoop.submit { lane.latencies.openWindow(at: startAt) }.get()
        }
        try await Task.sleep(for: .seconds(seconds))
        let endAt = MonotonicClock.nanoseconds()
        let endReceived = receivers.reduce(0) { $0 + $1.unique.load(ordering: .relaxed) }
        let bridgeAfter = ProcessSample.read(pid: bridge.pid)
        let brokerAfter = ProcessSample.read(pid: context.broker.pid)
        for lane in lanes.values {
            try await lane.eventLoop.submit { lane.latencies.closeWindow(at: endAt) }.get()
        }
        for publisher in publishers {
            try await publisher.eventLoop.submit { publisher.end() }.get()
        }

        // Drain: every message published must reach its device.
        let sent = publishers.reduce(0) { $0 + $1.sent.load(ordering: .relaxed) }
        let drainDeadline = MonotonicClock.nanoseconds() + (context.options.quick ? 2 : 5) * 1_000_000_000
        var received = 0
        repeat {
            received = receivers.reduce(0) { $0 + $1.unique.load(ordering: .relaxed) }
            if received >= sent { break }
            try await Task.sleep(for: .milliseconds(50))
        } while MonotonicClock.nanoseconds() < drainDeadline
        for client in clients {
            try await client.eventLoop.submit { client.downlink = nil }.get()
        }

        var histogram = LatencyHistogram()
        for lane in lanes.values {
            histogram.merge(try await lane.eventLoop.submit { lane.latencies.histogram }.get())
        }
        let wall = Double(endAt - startAt) / 1e9
        var result = ScenarioResult(scenario: "downlink", path: "broker->bridge->device")
        result.clients = clients.count
        result.qos = 1
        result.payloadBytes = 32
        result.mode = "closed"
        result.window = run.window
        result.seconds = wall
        result.sent = sent
        result.received = received
        result.rejected = publishers.reduce(0) { $0 + $1.failed.load(ordering: .relaxed) }
        result.lost = max(0, sent - received)
        result.deliveredPerSecond = Double(endReceived - startReceived) / wall
        result.apply(histogram)
        result.apply(bridge: bridgeBefore, bridgeAfter, broker: brokerBefore, brokerAfter)
        let duplicates = receivers.reduce(0) { $0 + $1.duplicates.load(ordering: .relaxed) }
        let outOfOrder = receivers.reduce(0) { $0 + $1.outOfOrder.load(ordering: .relaxed) }
        let foreign = receivers.reduce(0) { $0 + $1.foreign.load(ordering: .relaxed) }
        result.note = "duplicates \(duplicates), out of order \(outOfOrder), foreign \(foreign)"
        let perSecond = result.deliveredPerSecond ?? 0
        result.target =
            "downlink QoS 1 x25: 0 lost (\(result.lost!)), >= 10,000 msg/s (\(ResultTable.format(perSecond, decimals: 0)))"
        result.targetMet = result.lost == 0 && foreign == 0 && outOfOrder == 0 && perSecond >= 10_000
        return result
    }

    /// The devices of one load event loop share a latency histogram.
    private struct Lane {
        let eventLoop: any EventLoop
        let latencies: DownlinkLatencies
    }
}
