import Foundation
import NIOCore

/// Fan-out: 1,000 MQTT-SN devices subscribed to one filter (`benchfan/all`, QoS 1) while one publisher on the broker
/// sends 100 msg/s at QoS 1, through a bridge in transparent mode (1,000 broker subscriptions, the broker fans out)
/// and through one in aggregating mode (one broker subscription, the bridge fans out), one after the other.
///
/// ```
///  publisher ──100 msg/s──▶ mosquitto ──▶ snbridge ──▶ 1,000 devices  = 100,000 deliveries/s
/// ```
///
/// Every device acknowledges each PUBLISH and counts each sequence number once; loss is messages sent times devices
/// minus distinct deliveries after the drain. Target (aggregating): 100,000 deliveries/s without loss.
struct FanoutScenario {
    let context: BenchContext
    static let topic = "benchfan/all"

    var devices: Int { context.options.quick ? 200 : 1_000 }
    let messagesPerSecond = 100.0

    func run() async throws {
        for (mode, gatewayYAML) in [("transparent", ""), ("aggregating", AggregatingRatioScenario.aggregatingYAML)] {
            context.progress("fanout: \(devices) devices on one filter, \(Int(messagesPerSecond)) msg/s, \(mode)")
            let bridge = try await BridgeProcess.start(
                executable: context.options.snbridgePath,
                brokerPort: context.broker.port,
                gatewayYAML: gatewayYAML,
                brokerYAML: AggregatingRatioScenario.version5YAML,
                eventLoops: context.options.bridgeEventLoops,
                clientIDPrefix: "\(mode)-"
            )
            var clients: [SNLoadClient] = []
            var publisher: DirectLoadClient?
            var failure: (any Error)?
            do {
                clients = try await ClientFleet.connectSN(count: devices, bridge: bridge, context: context)
                try await ClientFleet.forEach(clients, concurrency: 100) { client in
                    try await client.subscribe(topicName: Self.topic, timeout: .seconds(5), attempts: 3)
                }
                let source = DirectLoadClient(
                    index: 0,
                    brokerPort: context.broker.port,
                    eventLoop: context.loadGroup.next(),
                    logger: context.logger,
                    topic: Self.topic
                )
                publisher = source
                try await source.connect()
                context.report(try await measure(mode: mode, clients: clients, publisher: source, bridge: bridge))
            } catch {
                failure = error
            }
            await publisher?.close()
            await ClientFleet.close(clients)
            await bridge.stop()
            if let failure { throw failure }
        }
    }

    private func measure(
        mode: String,
        clients: [SNLoadClient],
        publisher: DirectLoadClient,
        bridge: BridgeProcess
    ) async throws -> ScenarioResult {
        let run = PublishRun(runID: context.makeRunID(), qos: 1, payloadSize: 32, mode: .paced, window: 1_000)
        var lanes: [ObjectIdentifier: DownlinkLatencies] = [:]
        var receivers: [DownlinkReceiver] = []
        for client in clients {
            let latencies = lanes[ObjectIdentifier(client.eventLoop), default: DownlinkLatencies()]
            lanes[ObjectIdentifier(client.eventLoop)] = latencies
            let receiver = DownlinkReceiver(runID: run.runID, clientIndex: 0, latencies: latencies)
            receivers.append(receiver)
            try await client.eventLoop.submit { client.downlink = receiver }.get()
        }
        let loops = Dictionary(
            clients.map { (ObjectIdentifier($0.eventLoop), $0.eventLoop) },
            uniquingKeysWith: { a, _ in a }
        )
        let windows = lanes
        let delivered = { receivers.reduce(0) { $0 + $1.unique.load(ordering: .relaxed) } }

        try await publisher.eventLoop.submit { publisher.begin(run, credit: DeliveryCredit {}) }.get()
        let pacer = RatePacer(
            eventLoop: publisher.eventLoop,
            publishers: [publisher],
            messagesPerSecond: messagesPerSecond
        )
        pacer.start()
        try await Task.sleep(for: .seconds(context.options.warmupSeconds))
        let startAt = MonotonicClock.nanoseconds()
        for (id, loop) in loops { try await loop.submit { windows[id]?.openWindow(at: startAt) }.get() }
        let startDelivered = delivered()
        let bridgeBefore = ProcessSample.read(pid: bridge.pid)
        let brokerBefore = ProcessSample.read(pid: context.broker.pid)
        try await Task.sleep(for: .seconds(context.options.measureSeconds))
        let endAt = MonotonicClock.nanoseconds()
        let endDelivered = delivered()
        let bridgeAfter = ProcessSample.read(pid: bridge.pid)
        let brokerAfter = ProcessSample.read(pid: context.broker.pid)
        for (id, loop) in loops { try await loop.submit { windows[id]?.closeWindow(at: endAt) }.get() }
        await pacer.stop()
        try await publisher.eventLoop.submit { publisher.end() }.get()

        let sent = publisher.counters.sent.load(ordering: .relaxed)
        let expected = sent * clients.count
        let drainDeadline = MonotonicClock.nanoseconds() + 10 * 1_000_000_000
        var received = delivered()
        while received < expected && MonotonicClock.nanoseconds() < drainDeadline {
            try await Task.sleep(for: .milliseconds(50))
            received = delivered()
        }
        for client in clients { try await client.eventLoop.submit { client.downlink = nil }.get() }

        var histogram = LatencyHistogram()
        for (id, loop) in loops {
            if let lane = windows[id] { histogram.merge(try await loop.submit { lane.histogram }.get()) }
        }
        let wall = Double(endAt - startAt) / 1e9
        var result = ScenarioResult(scenario: "fanout", path: mode)
        result.clients = clients.count
        result.qos = 1
        result.payloadBytes = 32
        result.mode = "rate"
        result.offeredPerSecond = messagesPerSecond * Double(clients.count)
        result.seconds = wall
        result.sent = expected
        result.received = received
        result.lost = max(0, expected - received)
        result.deliveredPerSecond = Double(endDelivered - startDelivered) / wall
        result.apply(histogram)
        result.apply(bridge: bridgeBefore, bridgeAfter, broker: brokerBefore, brokerAfter)
        let duplicates = receivers.reduce(0) { $0 + $1.duplicates.load(ordering: .relaxed) }
        let outOfOrder = receivers.reduce(0) { $0 + $1.outOfOrder.load(ordering: .relaxed) }
        result.note =
            "\(sent) messages x \(clients.count) devices; duplicates \(duplicates), out of order \(outOfOrder)"
        if mode == "aggregating" {
            let rate = result.deliveredPerSecond ?? 0
            result.target =
                "fan-out \(clients.count) devices x \(Int(messagesPerSecond)) msg/s: 0 lost (\(result.lost ?? 0)), "
                + "\(ResultTable.format(rate, decimals: 0)) of \(ResultTable.format(result.offeredPerSecond ?? 0, decimals: 0)) deliveries/s"
            result.targetMet = result.lost == 0 && rate >= 0.98 * (result.offeredPerSecond ?? 0)
        }
        return result
    }
}
