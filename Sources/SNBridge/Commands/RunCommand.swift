import ArgumentParser
import Foundation
import GatewayCore
import Logging
import NIOPosix
import SNBridgeLogging
import ServiceLifecycle
import SessionStore

/// `snbridge run`: serves MQTT-SN and bridges every client to the broker until SIGTERM or SIGINT.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the bridge: serve MQTT-SN clients and bridge them to the broker until SIGTERM or SIGINT.",
        discussion: """
            With no configuration file, snbridge listens on UDP port 1884 and bridges to mqtt://localhost:1883.
            Examples:
              snbridge run
              snbridge run --broker mqtt://192.0.2.10:1883 --udp-port 10000
              snbridge run --config /etc/snbridge/snbridge.yaml
            """
    )

    @OptionGroup var options: ConfigurationOptions

    /// Descriptors beside one upstream connection per session: listeners, serial ports, udev, the status session.
    static let reservedDescriptors = 64

    func run() async throws {
        let configuration = try options.resolveOrExit()
        let openFileLimit = FileDescriptorLimit.raiseToHardLimit()
        let format = configuration.logFormat ?? LogFormat.automatic(environment: ProcessInfo.processInfo.environment)
        LoggingSystem.bootstrap { _ in
            SNBridgeLogHandler(format: format, logLevel: configuration.logLevel)
        }
        let logger = Logger(label: "snbridge")
        // Before the gateway exists: its counters are created with it. Without the listener nobody reads them, and
        // swift-metrics' default no-op backend costs nothing.
        let metrics = configuration.http.listen.map { _ in
            BridgeMetrics(
                registry: BridgeMetrics.bootstrapMetricsSystem(),
                perDevice: configuration.http.perDeviceMetrics
            )
        }
        logger.info(
            "Starting snbridge",
            metadata: [
                "snbridge.version": "\(SNBridgeVersion.string)",
                "broker.host": "\(configuration.gateway.upstream.host)",
                "broker.port": "\(configuration.gateway.upstream.port)",
                "broker.tls": "\(configuration.gateway.upstream.tls != nil)",
                "process.open_files_limit": "\(openFileLimit.map(String.init) ?? "unknown")",
            ]
        )
        if let openFileLimit, openFileLimit < configuration.gateway.maxClients + Self.reservedDescriptors {
            logger.warning(
                "Open-file limit is below what gateway.max_clients needs; raise LimitNOFILE or ulimit -Hn",
                metadata: [
                    "process.open_files_limit": "\(openFileLimit)",
                    "gateway.max_clients": "\(configuration.gateway.maxClients)",
                ]
            )
        }
        let notifier = SystemdNotifier(environment: ProcessInfo.processInfo.environment)
        // Opened (and read) before anything serves; a damaged store is reported and replaced, never fatal.
        let store = try await SessionStore.open(configuration: configuration.state, logger: logger)
        let bridge = BridgeService(
            configuration: configuration,
            sessionStore: store,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: logger,
            metrics: metrics
        ) {
            do {
                try notifier.ready()
            } catch {
                logger.warning("systemd notification failed", metadata: ["error.description": "\(error)"])
            }
        }
        // Shut down in reverse order: the monitoring listener first, the bridge before the store is flushed and closed.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: SessionStoreService(store: store, logger: logger)),
            .init(service: bridge),
            .init(service: SystemdWatchdogService(notifier: notifier, logger: logger)),
            .init(service: SystemdStatusService(notifier: notifier, monitor: bridge.monitor, logger: logger)),
        ]
        if let address = configuration.http.listen {
            services.append(
                .init(
                    service: MonitoringHTTPService(
                        monitor: bridge.monitor,
                        address: address,
                        eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                        logger: logger
                    )
                )
            )
        }
        let serviceGroup = ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await serviceGroup.run()
    }
}

extension ConfigurationOptions {
    /// Resolves the configuration or prints every problem to stderr and exits with EX_CONFIG (78).
    func resolveOrExit() throws -> SNBridgeConfiguration {
        do {
            return try resolve()
        } catch let errors as ConfigurationErrors {
            printToStandardError("snbridge: \(errors)")
            throw ExitCode(78)
        }
    }
}
