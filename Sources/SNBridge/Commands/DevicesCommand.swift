import ArgumentParser
import DeviceDiscovery
import Foundation
import Logging
import NIOPosix
import SNBridgeLogging

/// `snbridge devices`: the USB-serial devices discovery sees now, and their live state when a bridge publishes it.
struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the serial devices snbridge discovers, with their state when a running bridge reports it.",
        discussion: """
            Without a broker the state is "present" (seen by udev). With --broker, or with a --config, the running \
            bridge's retained <prefix>/devices list supplies the live state (linked, connected, asleep, lost, \
            error) and adds the devices udev does not show (configured ports, boards that left); when the bridge \
            is offline its devices are marked so. No devices, or no udev, gives an empty list, not an error; a \
            broker that cannot be reached exits with 69 after listing what udev sees.

            Examples:
              snbridge devices
              snbridge devices --json
              snbridge devices --config /etc/snbridge/snbridge.yaml
            """
    )

    @Option(name: .long, help: "YAML configuration file: its discovery rules, broker and status.topic_prefix apply.")
    var config: String?

    @Option(
        name: .long,
        help: "Ask the bridge at this broker for live state, mqtt://host[:port] (overrides broker.url)."
    )
    var broker: String?

    @Flag(name: .long, help: "Print a JSON array instead of a table.")
    var json = false

    @Option(name: .long, help: "Seconds to wait for the broker's answer.")
    var timeout: Double = 2

    func run() async throws {
        var configuration = SNBridgeConfiguration()
        if let config {
            do {
                configuration = try SNBridgeConfiguration.load(contentsOf: config)
            } catch let errors as ConfigurationErrors {
                printToStandardError("snbridge: \(errors)")
                throw ExitCode(78)
            }
        }
        if let broker {
            var problems: [String] = []
            configuration.applyBrokerURL(broker, key: "--broker") { problems.append("\($0): \($1)") }
            guard problems.isEmpty else {
                printToStandardError("snbridge: \(problems.joined(separator: "; "))")
                throw ExitCode(78)
            }
        }
        let logger = Logger(label: "snbridge.devices") { _ in SNBridgeLogHandler(format: .text, logLevel: .warning) }

        let discovered = await DeviceSnapshot.discover(matcher: configuration.discovery.matcher, logger: logger)
        var live: [DeviceRecord] = []
        var bridgeOffline = false
        var unreachable: String?
        if config != nil || broker != nil {
            let answer = await LiveDeviceQuery(
                upstream: configuration.gateway.upstream,
                topics: StatusTopics(prefix: configuration.status.topicPrefix),
                timeout: .milliseconds(Int64(max(0.1, timeout) * 1000)),
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                logger: logger
            ).fetch()
            switch answer {
            case .devices(let records, let offline):
                live = records
                bridgeOffline = offline
            case .noDeviceList:
                break
            case .unreachable(let reason):
                unreachable = reason
            }
        }
        let listing = DeviceSnapshot.merge(discovered: discovered, live: live, bridgeOffline: bridgeOffline)
        if json {
            print(StatusJSON.encode(listing))
        } else if listing.isEmpty {
            print("No serial devices found.")
        } else {
            print(listing.table)
        }
        if bridgeOffline {
            printToStandardError(
                "snbridge: the bridge is offline (its status topic says so); device states are as it last reported them"
            )
        }
        if let unreachable {
            let upstream = configuration.gateway.upstream
            printToStandardError(
                "snbridge: no live device state: the broker at \(upstream.host):\(upstream.port) cannot be reached (\(unreachable))"
            )
            throw ExitCode(69)
        }
    }
}
