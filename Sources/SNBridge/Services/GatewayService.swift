import GatewayCore
import Logging
import ServiceLifecycle

/// Runs a ``Gateway`` under swift-service-lifecycle: starts it, and on SIGTERM or SIGINT shuts it down gracefully
/// (clients get DISCONNECT, upstream sessions close cleanly, in-flight QoS 1/2 completes or is reported).
public struct GatewayService: Service {
    public let gateway: Gateway
    let logger: Logger
    let onStarted: @Sendable () -> Void

    public init(gateway: Gateway, logger: Logger, onStarted: @escaping @Sendable () -> Void = {}) {
        self.gateway = gateway
        self.logger = logger
        self.onStarted = onStarted
    }

    public func run() async throws {
        let addresses = try await gateway.start()
        for address in addresses {
            logger.info("MQTT-SN listening on UDP", metadata: ["udp.address": "\(address)"])
        }
        onStarted()
        // Waits for SIGTERM/SIGINT; cancellation (another service failing) also ends the wait, and both shut down.
        try? await gracefulShutdown()
        logger.info("Shutting down gracefully")
        await gateway.shutdown()
    }
}

extension GatewayService: CustomStringConvertible {
    public var description: String { "GatewayService" }
}
