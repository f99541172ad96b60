import ArgumentParser
import Foundation
import GatewayCore
import Logging
import NIOCore
import NIOPosix
import TestSupport

/// `snbridge-bench`: end-to-end benchmarks of snbridge against a real mosquitto it starts itself.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snbridge-bench",
        abstract: "Drive snbridge end to end through a real mosquitto and measure it (see BENCHMARKS.md).",
        discussion: """
            Scenarios: throughput, qos1-ratio, latency, scale, serial, hotplug, monitoring, store, acl, dtls, downlink,
            aggregating-qos1, fanout, aggregating-scale, all (the default).
            Prints one JSON line per measurement on standard output, progress on standard error, and a table at the end.
            Examples:
              snbridge-bench all
              snbridge-bench throughput --clients 25 --qos 1 --payload 32 --mode closed --quick
              snbridge-bench scale --scale-clients 10000
            """
    )

    @Argument(
        help:
            "Scenarios to run: throughput, qos1-ratio, latency, scale, serial, hotplug, monitoring, store, acl, dtls, downlink, aggregating-qos1, fanout, aggregating-scale, all."
    )
    var scenarios: [String] = ["all"]

    @Flag(help: "Short smoke run: shorter windows, 1,000 clients for scale, fewer serial devices.")
    var quick = false

    @Option(help: "The snbridge executable (default: next to this one).")
    var snbridge: String?

    @Option(help: "The snbridge-simdevice executable (default: next to this one).")
    var simdevice: String?

    @Option(help: "Also append the JSON lines to this file.")
    var json: String?

    @Option(help: "Offered rate of the fixed-rate throughput runs, msg/s over all clients.")
    var rate: Double = 20_000

    @Option(help: "Messages outstanding per client in closed-loop runs.")
    var window: Int = 8

    @Option(parsing: .upToNextOption, help: "Client counts of the throughput runs.")
    var clients: [Int] = [1, 25, 1_000]

    @Option(parsing: .upToNextOption, help: "QoS levels (0, 1).")
    var qos: [Int] = [0, 1]

    @Option(parsing: .upToNextOption, help: "Payload sizes in bytes (at least 24).")
    var payload: [Int] = [32, 256]

    @Option(parsing: .upToNextOption, help: "Modes of the throughput runs: closed, rate.")
    var mode: [String] = ["closed", "rate"]

    @Option(help: "Clients of the connection-scale scenario (default 10,000; 1,000 with --quick).")
    var scaleClients: Int?

    @Option(help: "Simulated serial devices (default 32).")
    var serialDevices: Int = 32

    @Option(
        help: "snbridge's serial.read_batching for the serial scenario, e.g. 0ms or 10ms (default: snbridge's own)."
    )
    var serialReadBatching: String?

    @Option(help: "Run snbridge with this many NIO event loops (NIO_SINGLETON_GROUP_LOOP_COUNT); an experiment.")
    var bridgeEventLoops: Int?

    @Option(help: "Length of each throughput measurement window in seconds (default 5; 1.5 with --quick).")
    var seconds: Double?

    @Option(help: "Clients of the aggregating-scale scenario (default 100,000; 10,000 with --quick).")
    var aggregatingClients: Int?

    @Option(help: "Stored sessions of the store scenario's restore (default 10,000).")
    var restoreSessions: Int = 10_000

    @Option(help: .hidden)
    var restoreProbe: String?

    func run() async throws {
        if let restoreProbe {
            // The store scenario's child: a new process restoring the store (StoreRestoreScenario).
            let report = try await RestoreProbeReport.measure(directory: restoreProbe)
            let line = try JSONEncoder().encode(report)
            FileHandle.standardOutput.write(line + Data("\n".utf8))
            return
        }
        let limit = FileDescriptorLimit.raiseToHardLimit() ?? -1
        let options = BenchOptions(
            quick: quick,
            snbridgePath: snbridge ?? BuiltProduct.path("snbridge"),
            simdevicePath: simdevice ?? BuiltProduct.path("snbridge-simdevice"),
            jsonOutput: json,
            offeredRate: rate,
            window: window,
            clientCounts: clients,
            qosLevels: qos,
            payloadSizes: payload.map { max($0, BenchPayload.headerSize) },
            modes: mode.map { $0 == "rate" ? .paced : .closedLoop },
            scaleClients: scaleClients ?? (quick ? 1_000 : 10_000),
            serialDevices: serialDevices,
            serialReadBatching: serialReadBatching,
            measureSecondsOverride: seconds,
            bridgeEventLoops: bridgeEventLoops,
            restoreSessions: restoreSessions,
            aggregatingClients: aggregatingClients ?? (quick ? 10_000 : 100_000)
        )
        guard FileManager.default.isExecutableFile(atPath: options.snbridgePath) else {
            throw BenchError.failed(
                "no snbridge at \(options.snbridgePath): build it first (swift build -c release --product snbridge) or pass --snbridge"
            )
        }
        var selected = Set(scenarios)
        let known = [
            "throughput", "qos1-ratio", "qos1-store", "latency", "scale", "serial", "hotplug", "monitoring", "store",
            "restore", "acl", "dtls", "downlink", "aggregating-qos1", "fanout", "aggregating-scale",
        ]
        if selected.contains("all") { selected = Set(known) }
        for name in selected where !known.contains(name) {
            throw BenchError.unknownScenario(name)
        }

        var logger = Logger(label: "snbridge-bench")
        logger.logLevel = .warning
        let loadGroup = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let collectorGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let broker = try await BenchBroker.start()
        let collector = MessageCollector(eventLoop: collectorGroup.next())
        let context = BenchContext(
            options: options,
            broker: broker,
            collector: collector,
            loadGroup: loadGroup,
            collectorGroup: collectorGroup,
            logger: logger
        )
        context.progress("open-file limit \(limit); mosquitto pid \(broker.pid) on port \(broker.port)")
        var failures: [String] = []
        do {
            try await collector.start(brokerPort: broker.port, logger: logger)
            try await Task.sleep(for: .milliseconds(1_500))
            context.progress(
                "mosquitto's dropped-message count: \(collector.brokerDropped.load(ordering: .relaxed)) (-1: unknown)"
            )
            // A fixed order: the cheap, precise measurements first, the 10,000-client one last.
            for name in [
                "throughput", "qos1-ratio", "qos1-store", "latency", "serial", "hotplug", "store", "restore", "scale",
                "monitoring", "acl", "dtls", "downlink", "aggregating-qos1", "fanout", "aggregating-scale",
            ] where selected.contains(name) {
                do {
                    try await run(name, context: context)
                } catch {
                    failures.append("\(name): \(error)")
                    context.progress("\(name) failed: \(error)")
                }
            }
        } catch {
            failures.append("collector: \(error)")
        }
        await collector.stop()
        await broker.stop()
        try? await loadGroup.shutdownGracefully()
        try? await collectorGroup.shutdownGracefully()

        print("")
        print(ResultTable.render(context.results))
        for failure in failures { print("FAILED \(failure)") }
        if !failures.isEmpty { throw ExitCode(1) }
    }

    private func run(_ name: String, context: BenchContext) async throws {
        switch name {
        case "throughput": try await ThroughputScenario(context: context).run()
        case "qos1-ratio": try await QoS1RatioScenario(context: context).run()
        case "qos1-store": try await StoreRatioScenario(context: context).run()
        case "latency": try await LatencyScenario(context: context).run()
        case "scale": try await ConnectionScaleScenario(context: context).run()
        case "serial": try await SerialScenario(context: context).run()
        case "hotplug": try await HotplugScenario(context: context).run()
        case "monitoring": try await MonitoringScenario(context: context).run()
        case "store": try await StoreRestoreScenario(context: context).run()
        case "restore": try await BridgeRestoreScenario(context: context).run()
        case "acl": try await ACLScenario(context: context).run()
        case "dtls": try await DTLSRatioScenario(context: context).run()
        case "downlink": try await DownlinkScenario(context: context).run()
        case "aggregating-qos1": try await AggregatingRatioScenario(context: context).run()
        case "fanout": try await FanoutScenario(context: context).run()
        case "aggregating-scale": try await AggregatingScaleScenario(context: context).run()
        default: throw BenchError.unknownScenario(name)
        }
    }
}
