import GatewayCore
import Logging
import NIOCore
import ServiceLifecycle

/// The bridge under swift-service-lifecycle: the gateway with its UDP listeners, then the serial ports.
///
/// On SIGTERM or SIGINT the gateway shuts down first, so every client, serial ones included, gets DISCONNECT,
/// upstream sessions close cleanly and in-flight QoS 1/2 completes or is reported; then the ports close.
public struct BridgeService: Service, CustomStringConvertible {
    public let gateway: Gateway
    let serialPorts: SerialPortSupervisor
    let logger: Logger
    let onReady: @Sendable () -> Void

    public init(
        configuration: SNBridgeConfiguration,
        eventLoopGroup: any EventLoopGroup,
        logger: Logger,
        onReady: @escaping @Sendable () -> Void = {}
    ) {
        let gateway = Gateway(configuration: configuration.gateway, eventLoopGroup: eventLoopGroup, logger: logger)
        self.gateway = gateway
        self.serialPorts = SerialPortSupervisor(
            gateway: gateway,
            ports: configuration.serialPorts,
            reopenInterval: configuration.serialReopenInterval,
            eventLoopGroup: eventLoopGroup,
            logger: logger
        )
        self.logger = logger
        self.onReady = onReady
    }

    public var description: String { "BridgeService" }

    public func run() async throws {
        let addresses = try await gateway.start()
        for address in addresses {
            logger.info("MQTT-SN listening on UDP", metadata: ["udp.address": "\(address)"])
        }
        serialPorts.start()
        onReady()
        // Waits for SIGTERM/SIGINT; cancellation (another service failing) also ends the wait, and both shut down.
        try? await gracefulShutdown()
        logger.info("Shutting down gracefully")
        await gateway.shutdown()
        await serialPorts.stop()
    }
}
