import Foundation
import GatewayCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import SerialLink

/// Keeps serial ports open: the configured ones (`serial.ports`) always, discovered ones (``attach(_:)``) while
/// udev says they are there.
///
/// A configured port that is absent or goes away (an unplug, a board whose USB tty vanishes on reset) is tried
/// again every ``SNBridgeConfiguration/serialReopenInterval`` until it is back. A discovered port is closed when
/// udev removes it (``detach(path:)``) and opened again when udev adds it back. The bridge never exits because a
/// device went away.
///
/// Link events feed the gateway, the
/// ``DeviceRegistry`` (state, counters, status topics) and the log, where every line names the device's stable
/// identity (`device.id`) and its tty (`device.path`), and the board's console lines appear.
///
/// A link that goes down while its port stays open (the device said HELLO again, was RESET, or went silent) keeps
/// the device's MQTT-SN sessions for the session grace (`serial.session_grace`, by default the port's
/// `link_keepalive`): the same device linking again within it continues them; otherwise, and at once when the
/// port closes, they are lost and the broker publishes their wills (``SerialSessionGrace``).
final class SerialPortSupervisor: SerialLinkDelegate, Sendable {
    /// One port the supervisor looks after.
    struct Port: Sendable {
        var settings: SerialPortSettings
        var descriptor: DeviceDescriptor
        /// False once a discovered device was removed: its port is closed and not reopened.
        var wanted = true
        /// Told apart from an earlier attachment of the same path, whose open may still be completing.
        var generation: Int
    }

    private struct State {
        var stopped = false
        var ports: [String: Port] = [:]
        var connections: [String: SerialLinkConnection] = [:]
        var retries: [String: Scheduled<Void>] = [:]
        /// Paths whose "cannot open" was already logged, so an absent board logs once, not every interval.
        var reportedAbsent: Set<String> = []
        var nextGeneration = 0
        var grace = SerialSessionGrace()
        var graceTimers: [String: Scheduled<Void>] = [:]
    }

    private let gateway: Gateway
    private let configuredPorts: [SerialPortSettings]
    private let reopenInterval: TimeAmount
    private let readPacer: SerialReadPacer?
    private let eventLoopGroup: any EventLoopGroup
    private let registry: DeviceRegistry?
    private let consoleToMQTT: Bool
    /// `serial.session_grace`; nil: each port's link keepalive.
    private let sessionGrace: TimeAmount?
    private let logger: Logger
    private let state = NIOLockedValueBox(State())
    private let transport: NIOLockedValueBox<SerialTransport?> = NIOLockedValueBox(nil)

    init(
        gateway: Gateway,
        ports: [SerialPortSettings],
        reopenInterval: TimeAmount,
        readBatching: TimeAmount = .zero,
        eventLoopGroup: any EventLoopGroup,
        registry: DeviceRegistry? = nil,
        consoleToMQTT: Bool = false,
        sessionGrace: TimeAmount? = nil,
        logger: Logger
    ) {
        self.gateway = gateway
        self.configuredPorts = ports
        self.reopenInterval = reopenInterval
        // One pacer for every port: they all live on the gateway's loop, and one tick reads all busy ones.
        self.readPacer =
            readBatching > .zero ? SerialReadPacer(interval: readBatching, eventLoop: gateway.eventLoop) : nil
        self.eventLoopGroup = eventLoopGroup
        self.registry = registry
        self.consoleToMQTT = consoleToMQTT
        self.sessionGrace = sessionGrace
        self.logger = logger
    }

    /// Registers the serial transport with the gateway and starts opening every configured port.
    func start() {
        let transport = SerialTransport(inboundHandler: gateway, observer: self, logger: logger)
        self.transport.withLockedValue { $0 = transport }
        gateway.register(transport: transport)
        for settings in configuredPorts {
            let descriptor = DeviceDescriptor.configured(path: settings.path)
            let proceed = state.withLockedValue { state -> Bool in
                guard !state.stopped else { return false }
                state.nextGeneration += 1
                state.ports[settings.path] = Port(
                    settings: settings,
                    descriptor: descriptor,
                    generation: state.nextGeneration
                )
                return true
            }
            guard proceed else { return }
            registry?.appeared(descriptor)
            open(path: settings.path)
        }
    }

    /// Starts looking after a discovered device's tty: opens it now, and again after it closes while present.
    /// A path that is also a configured port stays with its configuration.
    func attach(_ settings: SerialPortSettings, descriptor: DeviceDescriptor) {
        let path = settings.path
        enum Decision { case open, alreadyAttached, configured, stopped }
        let decision = state.withLockedValue { state -> Decision in
            guard !state.stopped else { return .stopped }
            if let existing = state.ports[path] {
                if existing.descriptor.origin == .configured { return .configured }
                if existing.wanted && existing.descriptor.id == descriptor.id { return .alreadyAttached }
            }
            state.nextGeneration += 1
            state.ports[path] = Port(settings: settings, descriptor: descriptor, generation: state.nextGeneration)
            state.retries.removeValue(forKey: path)?.cancel()
            state.reportedAbsent.remove(path)
            return .open
        }
        switch decision {
        case .configured:
            logger.info(
                "Discovered device is a configured port; serial.ports settings apply",
                metadata: Self.metadata(descriptor)
            )
        case .alreadyAttached, .stopped:
            break
        case .open:
            registry?.appeared(descriptor)
            guard transport.withLockedValue({ $0 }) != nil else { return }
            open(path: path)
        }
    }

    /// udev removed the device at `path`: close its port (the gateway loses its sessions) and stop reopening it.
    func detach(path: String) {
        let (port, connection) = state.withLockedValue { state -> (Port?, SerialLinkConnection?) in
            guard var port = state.ports[path], port.descriptor.origin == .discovered, port.wanted else {
                return (nil, nil)
            }
            port.wanted = false
            state.ports[path] = port
            state.retries.removeValue(forKey: path)?.cancel()
            return (port, state.connections[path])
        }
        guard let port else { return }
        logger.info("Device removed; closing its port", metadata: Self.metadata(port.descriptor))
        if let connection {
            connection.close().whenComplete { _ in }
        } else {
            registry?.gone(id: port.descriptor.id, reason: "device removed")
        }
    }

    /// The ports open now, for the link monitor.
    func openConnections() -> [(path: String, connection: SerialLinkConnection)] {
        state.withLockedValue { state in state.connections.map { ($0.key, $0.value) } }
    }

    /// Stops retrying and closes every open port.
    func stop() async {
        let (connections, retries) = state.withLockedValue { state in
            state.stopped = true
            defer {
                state.connections.removeAll()
                state.retries.removeAll()
                state.graceTimers.removeAll()
            }
            return (Array(state.connections.values), Array(state.retries.values) + Array(state.graceTimers.values))
        }
        for retry in retries { retry.cancel() }
        for connection in connections {
            try? await connection.close().get()
        }
    }

    // MARK: Opening and reopening

    private func open(path: String) {
        guard let transport = transport.withLockedValue({ $0 }),
            let port = state.withLockedValue({ $0.stopped ? nil : $0.ports[path] }), port.wanted
        else { return }
        let settings = port.settings
        var portLogger = logger
        portLogger[metadataKey: "device.id"] = "\(port.descriptor.id)"
        var bootstrap = SerialLinkBootstrap(
            // The gateway's own loop: frames then reach the session logic without a thread hop per frame.
            group: gateway.eventLoop,
            link: settings.link,
            port: settings.port,
            mode: settings.mode,
            logger: portLogger
        )
        bootstrap.readPacer = readPacer
        registry?.openingStarted(id: port.descriptor.id)
        gateway.setClientIDPrefix(settings.clientIDPrefix, forDevice: path)
        bootstrap.connect(devicePath: path, delegate: transport).whenComplete { result in
            switch result {
            case .success(let connection):
                let keep = self.state.withLockedValue { state -> Bool in
                    guard !state.stopped, let current = state.ports[path], current.wanted,
                        current.generation == port.generation
                    else { return false }
                    state.connections[path] = connection
                    state.reportedAbsent.remove(path)
                    return true
                }
                guard keep else {
                    connection.close().whenComplete { _ in }
                    return
                }
                var metadata = Self.metadata(port.descriptor)
                metadata["serial.baud"] = "\(settings.port.baudRate)"
                metadata["serial.framing"] = "\(settings.mode.rawValue)"
                self.logger.info("Serial port opened", metadata: metadata)
                self.registry?.portOpened(id: port.descriptor.id)
                connection.closeFuture.whenComplete { _ in
                    self.portClosed(path: path, connection: connection)
                }
            case .failure(let error):
                let (firstTime, wanted) = self.state.withLockedValue { state in
                    (
                        state.reportedAbsent.insert(path).inserted,
                        state.ports[path].map { $0.wanted && $0.generation == port.generation } ?? false
                    )
                }
                self.registry?.openFailed(id: port.descriptor.id, reason: "cannot open \(path): \(error)")
                if firstTime {
                    var metadata = Self.metadata(port.descriptor)
                    metadata["error.description"] = "\(error)"
                    self.logger.warning("Serial port cannot be opened; retrying until it appears", metadata: metadata)
                }
                if wanted {
                    self.scheduleReopen(path: path, generation: port.generation)
                }
            }
        }
    }

    private func portClosed(path: String, connection: SerialLinkConnection) {
        let outcome = state.withLockedValue { state -> (port: Port, reopen: Bool)? in
            guard state.connections[path] === connection, let port = state.ports[path] else { return nil }
            state.connections[path] = nil
            return (port, port.wanted && !state.stopped)
        }
        guard let outcome else { return }
        let metadata = Self.metadata(outcome.port.descriptor)
        if outcome.reopen {
            logger.warning("Serial port closed; reopening when it is back", metadata: metadata)
        } else {
            logger.info("Serial port closed", metadata: metadata)
        }
        registry?.gone(
            id: outcome.port.descriptor.id,
            reason: outcome.port.wanted ? "serial port closed" : "device removed"
        )
        carryOut(state.withLockedValue { $0.grace.portClosed(path: path) }, path: path)
        if outcome.reopen {
            scheduleReopen(path: path, generation: outcome.port.generation)
        }
    }

    private func scheduleReopen(path: String, generation: Int) {
        let eventLoop = eventLoopGroup.next()
        state.withLockedValue { state in
            guard !state.stopped, state.ports[path]?.generation == generation else { return }
            state.retries[path]?.cancel()
            state.retries[path] = eventLoop.scheduleTask(in: reopenInterval) {
                let proceed = self.state.withLockedValue { state -> Bool in
                    guard state.ports[path]?.generation == generation else { return false }
                    state.retries[path] = nil
                    return !state.stopped
                }
                if proceed {
                    self.open(path: path)
                }
            }
        }
    }

    private func portDescriptor(forPath path: String) -> DeviceDescriptor {
        state.withLockedValue { $0.ports[path]?.descriptor } ?? .configured(path: path)
    }

    private static func metadata(_ descriptor: DeviceDescriptor) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["device.id": "\(descriptor.id)", "device.path": "\(descriptor.path)"]
        if let usbID = descriptor.usbID { metadata["usb.id"] = "\(usbID)" }
        if let rule = descriptor.rule { metadata["device.rule"] = "\(rule)" }
        return metadata
    }

    // MARK: SerialLinkDelegate (observer of the transport)

    func serialLink(_ connection: SerialLinkConnection, linkUp device: DeviceHello) {
        let descriptor = portDescriptor(forPath: connection.devicePath)
        var metadata = Self.metadata(descriptor)
        // device.id is always the port identity (the same in every line and status topic); the id the board
        // announces in HELLO goes beside it.
        metadata["device.hello_id"] = "\(device.deviceIdentityHex)"
        metadata["device.firmware"] = "\(device.firmwareName) \(device.firmwareVersion)"
        metadata["device.max_frame"] = "\(device.maximumFrameSize)"
        logger.info("Device linked", metadata: metadata)
        let resumed = state.withLockedValue { state in
            state.graceTimers.removeValue(forKey: connection.devicePath)?.cancel()
            return state.grace.linkUp(
                path: connection.devicePath,
                deviceID: device.deviceIdentity,
                now: gateway.eventLoop.now
            )
        }
        carryOut(resumed, path: connection.devicePath)
        registry?.linkUp(
            path: connection.devicePath,
            helloID: device.deviceIdentityHex,
            firmware: "\(device.firmwareName) \(device.firmwareVersion)".trimmingCharacters(in: .whitespaces)
        )
    }

    func serialLink(_ connection: SerialLinkConnection, linkDown reason: SerialLinkLossReason) {
        var metadata = Self.metadata(portDescriptor(forPath: connection.devicePath))
        metadata["link.loss_reason"] = "\(reason)"
        let path = connection.devicePath
        let (stopping, action) = state.withLockedValue { state -> (Bool, SerialSessionGrace.Action) in
            // A closed port is a board gone, and shutting down ends every session: no grace for either.
            guard !state.stopped, reason != .channelClosed else {
                return (state.stopped, state.grace.portClosed(path: path))
            }
            let grace = self.sessionGrace ?? state.ports[path]?.settings.linkKeepalive ?? .zero
            return (false, state.grace.linkDown(path: path, grace: grace, now: gateway.eventLoop.now))
        }
        // Ports closed by stop() go down as "channel closed" too; subscribers should see why, and a clean
        // shutdown is no reason for a warning.
        if stopping {
            logger.info("Device link closed: bridge shutting down", metadata: metadata)
        } else {
            logger.warning("Device link lost", metadata: metadata)
        }
        registry?.linkDown(path: path, reason: stopping ? "bridge shutting down" : "\(reason)")
        carryOut(action, path: path)
    }

    /// Loses, keeps or resumes the sessions of the device on `path` as the session grace decided.
    private func carryOut(_ action: SerialSessionGrace.Action, path: String) {
        var metadata = Self.metadata(portDescriptor(forPath: path))
        switch action {
        case .none:
            break
        case .loseSessions:
            gateway.linkLost(device: path)
        case .resumed:
            logger.info("Device relinked within the session grace; its sessions continue", metadata: metadata)
        case .keepUntil(let deadline, let generation):
            metadata["serial.session_grace_ms"] = "\((deadline - gateway.eventLoop.now).nanoseconds / 1_000_000)"
            logger.info("Device link down; its sessions are kept for the session grace", metadata: metadata)
            let timer = gateway.eventLoop.scheduleTask(deadline: deadline) {
                let expired = self.state.withLockedValue { state -> SerialSessionGrace.Action in
                    state.graceTimers[path] = nil
                    return state.grace.deadlinePassed(path: path, generation: generation)
                }
                if expired == .loseSessions {
                    self.logger.warning(
                        "Session grace over without a relink; the device's sessions are lost",
                        metadata: Self.metadata(self.portDescriptor(forPath: path))
                    )
                }
                self.carryOut(expired, path: path)
            }
            state.withLockedValue { state in
                state.graceTimers.updateValue(timer, forKey: path)?.cancel()
            }
        }
    }

    func serialLink(_ connection: SerialLinkConnection, refused reject: LinkReject) {
        let versions = "\(reject.gatewayVersions.lowerBound)...\(reject.gatewayVersions.upperBound)"
        registry?.linkRefused(
            path: connection.devicePath,
            reason: "HELLO refused: \(reject.reason) (bridge speaks versions \(versions))"
        )
    }

    func serialLink(_ connection: SerialLinkConnection, received message: ByteBuffer, forwarderNodeID: ByteBuffer?) {}

    func serialLink(_ connection: SerialLinkConnection, consoleLine: String) {
        var metadata = Self.metadata(portDescriptor(forPath: connection.devicePath))
        metadata["console.line"] = "\(consoleLine)"
        logger.info("Device console", metadata: metadata)
        registry?.consoleLine(path: connection.devicePath, line: consoleLine, toMQTT: consoleToMQTT)
    }
}
