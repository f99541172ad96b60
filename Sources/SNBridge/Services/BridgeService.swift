import DeviceDiscovery
import GatewayCore
import Logging
import NIOCore
import ServiceLifecycle
import SessionStore

/// The bridge under swift-service-lifecycle: the status session, the gateway with its UDP listeners, the serial
/// ports (configured and discovered through udev) and the device link monitor.
///
/// On SIGTERM or SIGINT the gateway shuts down first, so every client, serial ones included, gets DISCONNECT,
/// upstream sessions close cleanly and in-flight QoS 1/2 completes or is reported; then the ports close, and last
/// the status session marks every device and the bridge `offline`.
public struct BridgeService: Service, CustomStringConvertible {
    public let gateway: Gateway
    /// Every device the bridge knows and its state.
    public let devices: DeviceRegistry
    /// The durable session store, opened and closed by ``SessionStoreService``; `nil` when the bridge runs without one.
    public let sessionStore: SessionStore?
    let serialPorts: SerialPortSupervisor
    let statusPublisher: BridgeStatusPublisher?
    /// What the monitoring listener shows (``MonitoringHTTPService``).
    public let monitor: BridgeMonitor
    let configuration: SNBridgeConfiguration
    let logger: Logger
    let onReady: @Sendable () -> Void

    public init(
        configuration: SNBridgeConfiguration,
        sessionStore: SessionStore? = nil,
        eventLoopGroup: any EventLoopGroup,
        logger: Logger,
        metrics: BridgeMetrics? = nil,
        onReady: @escaping @Sendable () -> Void = {}
    ) {
        let gateway = Gateway(
            configuration: configuration.gateway,
            eventLoopGroup: eventLoopGroup,
            persistence: sessionStore,
            logger: logger
        )
        let statusPublisher =
            configuration.status.enabled
            ? BridgeStatusPublisher(
                settings: configuration.status,
                upstream: configuration.gateway.upstream,
                gatewayID: configuration.gateway.gatewayID,
                eventLoopGroup: eventLoopGroup,
                logger: logger
            ) : nil
        let feed = StatusFeed()
        let devices = DeviceRegistry(
            logger: logger,
            listsUDPDevices: configuration.status.listsUDPDevices(in: configuration.gateway.mode(forTransport: .udp))
        ) { publication in
            statusPublisher?.publish(publication)
            feed.record(publication)
        }
        self.gateway = gateway
        self.devices = devices
        self.sessionStore = sessionStore
        self.statusPublisher = statusPublisher
        self.monitor = BridgeMonitor(
            gateway: gateway,
            registry: devices,
            statusPublisher: statusPublisher,
            metrics: metrics,
            feed: feed,
            lifecycle: BridgeLifecycle()
        )
        self.serialPorts = SerialPortSupervisor(
            gateway: gateway,
            ports: configuration.serialPorts,
            reopenInterval: configuration.serialReopenInterval,
            readBatching: configuration.serialReadBatching,
            eventLoopGroup: eventLoopGroup,
            registry: devices,
            consoleToMQTT: configuration.status.consoleToMQTT,
            sessionGrace: configuration.serialSessionGrace,
            logger: logger
        )
        self.configuration = configuration
        self.logger = logger
        self.onReady = onReady
    }

    public var description: String { "BridgeService" }

    public func run() async throws {
        // Subscribed before the listeners open, so that no session goes unseen.
        let sessionEvents = await gateway.sessionEvents()
        async let sessionsFollowed: Void = Self.follow(sessionEvents, into: devices)
        let addresses = try await gateway.start()
        for address in addresses {
            logger.info("MQTT-SN listening on UDP", metadata: ["udp.address": "\(address)"])
        }
        // Only a bridge that could start says it is online.
        statusPublisher?.start()
        serialPorts.start()
        let discovery = startDiscovery()
        let follower = discovery.map { discovery in
            Task { await DiscoveredDeviceFollower(discovery: discovery, supervisor: serialPorts, logger: logger).run() }
        }
        let monitor = Task {
            await DeviceLinkMonitor(
                gateway: gateway,
                supervisor: serialPorts,
                registry: devices,
                sampleInterval: .seconds(1),
                samplesUDPSessions: devices.listsUDPDevices,
                listInterval: configuration.status.interval,
                forgetAfter: configuration.status.forgetAfter
            ).run()
        }
        self.monitor.lifecycle.becameReady(listeners: addresses.count)
        onReady()
        // Waits for SIGTERM/SIGINT; cancellation (another service failing) also ends the wait, and both shut down.
        try? await gracefulShutdown()
        self.monitor.lifecycle.stopping()
        logger.info("Shutting down gracefully")
        discovery?.stop()
        await follower?.value
        monitor.cancel()
        await gateway.shutdown()
        await sessionsFollowed
        await serialPorts.stop()
        await monitor.value
        await statusPublisher?.stop(devices: devices.records())
    }

    /// Hands every session event to the registry until the gateway ends the stream at shutdown.
    private static func follow(_ events: AsyncStream<GatewaySessionEvent>, into devices: DeviceRegistry) async {
        for await event in events {
            devices.sessionChanged(event)
        }
    }

    /// Starts udev discovery as configured; `nil` when it is off or udev cannot be used, which is no reason to stop.
    private func startDiscovery() -> SerialDeviceDiscovery? {
        let settings = configuration.discovery
        guard settings.enabled != false else {
            logger.info("Device discovery disabled (discovery.enabled: false)")
            return nil
        }
        var discoveryLogger = logger
        discoveryLogger[metadataKey: "snbridge.component"] = "discovery"
        let discovery = SerialDeviceDiscovery(matcher: settings.matcher, logger: discoveryLogger)
        do {
            try discovery.start()
        } catch {
            let metadata: Logger.Metadata = ["error.description": "\(error)"]
            if settings.enabled == true {
                logger.error("Device discovery cannot use udev; serving configured ports only", metadata: metadata)
            } else {
                logger.notice("udev is not usable here; running without device discovery", metadata: metadata)
            }
            return nil
        }
        logger.info(
            "Device discovery started",
            metadata: [
                "discovery.rules": "\(settings.rules.count)",
                "discovery.builtin_defaults": "\(settings.builtInDefaults)",
            ]
        )
        return discovery
    }
}
