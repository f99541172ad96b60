import GatewayCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import SerialLink

/// Keeps the configured serial ports open: opens each one, and when it is absent or goes away (an unplug, a
/// board whose USB tty vanishes on reset) tries again every ``SNBridgeConfiguration/serialReopenInterval`` until
/// it is back. The bridge never exits because a device went away.
///
/// Link events feed the gateway (an unlinked device's sessions are lost and their wills published) and the log,
/// where the board's console lines appear with its path and identity.
final class SerialPortSupervisor: SerialLinkDelegate, Sendable {
    private let gateway: Gateway
    private let ports: [SerialPortSettings]
    private let reopenInterval: TimeAmount
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let state = NIOLockedValueBox(State())
    private let transport: NIOLockedValueBox<SerialTransport?> = NIOLockedValueBox(nil)

    private struct State {
        var stopped = false
        var connections: [String: SerialLinkConnection] = [:]
        var retries: [String: Scheduled<Void>] = [:]
        /// Paths whose "cannot open" was already logged, so an absent board logs once, not every interval.
        var reportedAbsent: Set<String> = []
    }

    init(
        gateway: Gateway,
        ports: [SerialPortSettings],
        reopenInterval: TimeAmount,
        eventLoopGroup: any EventLoopGroup,
        logger: Logger
    ) {
        self.gateway = gateway
        self.ports = ports
        self.reopenInterval = reopenInterval
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// Registers the serial transport with the gateway and starts opening every port.
    func start() {
        let transport = SerialTransport(inboundHandler: gateway, observer: self, logger: logger)
        self.transport.withLockedValue { $0 = transport }
        gateway.register(transport: transport)
        for port in ports {
            open(port, through: transport)
        }
    }

    /// Stops retrying and closes every open port.
    func stop() async {
        let (connections, retries) = state.withLockedValue { state in
            state.stopped = true
            defer {
                state.connections.removeAll()
                state.retries.removeAll()
            }
            return (Array(state.connections.values), Array(state.retries.values))
        }
        retries.forEach { $0.cancel() }
        for connection in connections {
            try? await connection.close().get()
        }
    }

    private func open(_ port: SerialPortSettings, through transport: SerialTransport) {
        let bootstrap = SerialLinkBootstrap(
            group: eventLoopGroup,
            link: port.link,
            port: port.port,
            mode: port.mode,
            logger: logger
        )
        bootstrap.connect(devicePath: port.path, delegate: transport).whenComplete { result in
            switch result {
            case .success(let connection):
                let keep = self.state.withLockedValue { state -> Bool in
                    guard !state.stopped else { return false }
                    state.connections[port.path] = connection
                    state.reportedAbsent.remove(port.path)
                    return true
                }
                guard keep else {
                    connection.close().whenComplete { _ in }
                    return
                }
                self.logger.info(
                    "Serial port opened",
                    metadata: [
                        "device.path": "\(port.path)", "serial.baud": "\(port.port.baudRate)",
                        "serial.framing": "\(port.mode.rawValue)",
                    ]
                )
                connection.closeFuture.whenComplete { _ in
                    self.portClosed(port, connection: connection, through: transport)
                }
            case .failure(let error):
                let firstTime = self.state.withLockedValue { $0.reportedAbsent.insert(port.path).inserted }
                if firstTime {
                    self.logger.warning(
                        "Serial port cannot be opened; retrying until it appears",
                        metadata: ["device.path": "\(port.path)", "error": "\(error)"]
                    )
                }
                self.scheduleReopen(port, through: transport)
            }
        }
    }

    private func portClosed(_ port: SerialPortSettings, connection: SerialLinkConnection, through transport: SerialTransport) {
        let current = state.withLockedValue { state -> Bool in
            guard state.connections[port.path] === connection else { return false }
            state.connections[port.path] = nil
            return !state.stopped
        }
        guard current else { return }
        logger.warning("Serial port closed; reopening when it is back", metadata: ["device.path": "\(port.path)"])
        gateway.linkLost(device: port.path)
        scheduleReopen(port, through: transport)
    }

    private func scheduleReopen(_ port: SerialPortSettings, through transport: SerialTransport) {
        let eventLoop = eventLoopGroup.next()
        state.withLockedValue { state in
            guard !state.stopped else { return }
            state.retries[port.path] = eventLoop.scheduleTask(in: reopenInterval) {
                let proceed = self.state.withLockedValue { state -> Bool in
                    state.retries[port.path] = nil
                    return !state.stopped
                }
                if proceed {
                    self.open(port, through: transport)
                }
            }
        }
    }

    // MARK: SerialLinkDelegate (observer of the transport)

    func serialLink(_ connection: SerialLinkConnection, linkUp device: DeviceHello) {
        logger.info(
            "Device linked",
            metadata: [
                "device.path": "\(connection.devicePath)", "device.id": "\(device.deviceIdentityHex)",
                "device.firmware": "\(device.firmwareName) \(device.firmwareVersion)",
                "device.max_frame": "\(device.maximumFrameSize)",
            ]
        )
    }

    func serialLink(_ connection: SerialLinkConnection, linkDown reason: SerialLinkLossReason) {
        logger.warning(
            "Device link lost",
            metadata: ["device.path": "\(connection.devicePath)", "link.loss_reason": "\(reason)"]
        )
        gateway.linkLost(device: connection.devicePath)
    }

    func serialLink(_ connection: SerialLinkConnection, received message: ByteBuffer, forwarderNodeID: ByteBuffer?) {}

    func serialLink(_ connection: SerialLinkConnection, consoleLine: String) {
        logger.info("Device console", metadata: ["device.path": "\(connection.devicePath)", "console.line": "\(consoleLine)"])
    }
}
