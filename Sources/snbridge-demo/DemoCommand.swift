import ArgumentParser
import Foundation
import Logging
import MQTTClient
import NIOCore
import NIOPosix
import TestSupport

/// `snbridge-demo`: snbridge's main job in one command. A broker (a local mosquitto on loopback unless `--broker`
/// names one), the real `snbridge run`, and a simulated board (the C reference device library) on a pty cable;
/// readings flow from the board to the broker and a command flows back, printed as they happen.
@main
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snbridge-demo",
        abstract: "Show a simulated serial board publishing through snbridge to an MQTT broker."
    )

    @Option(help: "Broker URL (mqtt://host:port). Without it a local mosquitto is started on a free loopback port.")
    var broker: String?

    @Option(help: "How many readings the board publishes.")
    var count: Int = 10

    @Option(help: "Milliseconds between readings.")
    var interval: Int = 300

    func validate() throws {
        guard (1...10_000).contains(count) else { throw ValidationError("--count must be 1...10000") }
        guard (0...60_000).contains(interval) else { throw ValidationError("--interval must be 0...60000 ms") }
        if let broker, !(broker.hasPrefix("mqtt://")) {
            throw ValidationError("--broker must be mqtt://host[:port] (the demo does not do TLS)")
        }
    }

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("snbridge-demo-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let demo = try await DemoSetup.start(brokerURL: broker, in: directory)
        do {
            let outcome = try await DemoScenario(setup: demo, count: count, interval: .milliseconds(Int64(interval)))
                .run()
            await demo.stop()
            DemoOutput.summary(outcome, expected: count)
            guard outcome.readingsAtBroker == count, outcome.commandReachedBoard else { throw ExitCode.failure }
        } catch {
            await demo.stop()
            throw error
        }
    }
}
