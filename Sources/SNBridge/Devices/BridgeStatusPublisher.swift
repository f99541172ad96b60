import Foundation
import GatewayCore
import Logging
import MQTTClient
import NIOConcurrencyHelpers
import NIOCore

/// The bridge's own MQTT session, which carries the status topics (see ``StatusTopics``).
///
/// Its will is `offline` on `<prefix>/bridge/status` (retained), so a bridge that dies is marked offline by the
/// broker. Retained topics are remembered, and published again after every (re)connect, so a broker restarted
/// without persistence still ends up with the current state. Events while disconnected (a port failing at start,
/// before the session is up) are kept, up to ``pendingEventLimit``, and sent after the retained state; console lines
/// while disconnected are dropped.
public final class BridgeStatusPublisher: Sendable {
    private struct State {
        var client: MQTTClient?
        var connected = false
        var stopped = false
        /// Retained topics in the order they were first published, with their latest payloads.
        var retainedOrder: [String] = []
        var retained: [String: String] = [:]
        /// Events from while the session was down, oldest first, sent after the next (re)connect.
        var pendingEvents: [MQTTMessage] = []
        var takeoverWatch = StatusTakeoverWatch()
    }

    /// How many events are kept while the session is down; the oldest go first.
    static let pendingEventLimit = 256

    public let topics: StatusTopics
    private let settings: StatusSettings
    private let homeAssistant: HomeAssistantDiscovery?
    private let upstream: GatewayConfiguration.Upstream
    private let gatewayID: UInt8
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let state = NIOLockedValueBox(State())
    private let connectTask = NIOLockedValueBox<Task<Void, Never>?>(nil)

    public init(
        settings: StatusSettings,
        upstream: GatewayConfiguration.Upstream,
        gatewayID: UInt8,
        eventLoopGroup: any EventLoopGroup,
        logger: Logger
    ) {
        self.settings = settings
        self.topics = StatusTopics(prefix: settings.topicPrefix)
        self.homeAssistant =
            settings.homeAssistant.enabled
            ? HomeAssistantDiscovery(prefix: settings.homeAssistant.prefix, topics: topics) : nil
        self.upstream = upstream
        self.gatewayID = gatewayID
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// Whether the status session is connected to the broker now: what `/healthz` calls the broker state.
    public var isConnected: Bool {
        state.withLockedValue { $0.connected && !$0.stopped }
    }

    /// The client id of the status session.
    var clientID: String {
        if let clientID = settings.clientID { return clientID }
        // gethostname, not ProcessInfo.hostName, which may wait for DNS.
        var buffer = [CChar](repeating: 0, count: 256)
        let host: String
        if gethostname(&buffer, buffer.count) == 0 {
            host = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        } else {
            host = "host"
        }
        let machineID = try? String(contentsOfFile: "/etc/machine-id", encoding: .utf8)
        return upstream.clientIDPrefix
            + StatusSettings.defaultClientID(host: host, gatewayID: gatewayID, machineID: machineID)
    }

    /// Connects in the background, retrying with the broker backoff until it succeeds or ``stop(offline:)``.
    public func start() {
        remember(topic: topics.bridgeStatus, payload: "online")
        guard let client = makeClient() else { return }
        state.withLockedValue { $0.client = client }
        let task = Task { [logger, upstream] in
            var delay = upstream.reconnectBackoff.initialDelay
            while !Task.isCancelled {
                do {
                    try await client.connect()
                    return
                } catch let error as MQTTConnectionError where error == .disconnectRequested {
                    // stop() came first: a clean shutdown, not a broker problem.
                    return
                } catch {
                    logger.warning(
                        "Status session cannot connect to the broker; retrying",
                        metadata: [
                            "error.description": "\(error)", "retry.delay_ms": "\(delay.nanoseconds / 1_000_000)",
                        ]
                    )
                }
                try? await Task.sleep(for: .nanoseconds(delay.nanoseconds))
                delay = min(delay * 2, upstream.reconnectBackoff.maximumDelay)
            }
        }
        connectTask.withLockedValue { $0 = task }
    }

    /// Publishes one registry announcement. Never blocks.
    public func publish(_ publication: StatusPublication) {
        switch publication {
        case .availability(let deviceID, let online):
            publishRetained(topic: topics.availability(of: deviceID), payload: online ? "online" : "offline")
        case .deviceList(let records):
            publishRetained(topic: topics.deviceList, payload: StatusJSON.encode(records))
            if let homeAssistant {
                for record in records {
                    for config in homeAssistant.configs(for: record) {
                        publishRetained(topic: config.topic, payload: config.payload, onlyIfChanged: true)
                    }
                    publishRetained(
                        topic: topics.state(of: record.id),
                        payload: homeAssistant.state(of: record),
                        onlyIfChanged: true
                    )
                }
            }
        case .forgotten(let deviceID):
            // An empty retained message deletes the retained one; for Home Assistant it removes the entity.
            var cleared = [topics.availability(of: deviceID), topics.state(of: deviceID)]
            cleared += homeAssistant?.configTopics(of: deviceID) ?? []
            for topic in cleared where forget(topic: topic) {
                send(retained(topic, ""))
            }
        case .event(let event):
            send(
                MQTTMessage(topic: topics.events, payload: StatusJSON.encode(event), qos: .atLeastOnce),
                keepWhileDisconnected: true
            )
        case .console(let deviceID, let line):
            guard settings.consoleToMQTT else { return }
            send(MQTTMessage(topic: topics.console(of: deviceID), payload: line, qos: .atMostOnce))
        }
    }

    /// Graceful shutdown: every device `offline`, the final device list, the bridge `offline`, then DISCONNECT
    /// (so the will is not needed). Waits at most `timeout` for the broker to acknowledge.
    public func stop(devices: [DeviceRecord], timeout: Duration = .seconds(3)) async {
        connectTask.withLockedValue { $0?.cancel() }
        var messages: [MQTTMessage] = []
        var offline = devices
        for index in offline.indices where offline[index].state != "lost" {
            offline[index].state = "lost"
            offline[index].online = false
            offline[index].link = "lost"
            offline[index].client = nil
        }
        for device in devices {
            messages.append(retained(topics.availability(of: device.id), "offline"))
        }
        messages.append(retained(topics.deviceList, StatusJSON.encode(offline)))
        messages.append(retained(topics.bridgeStatus, "offline"))
        let client = state.withLockedValue { state -> MQTTClient? in
            state.stopped = true
            return state.connected ? state.client : nil
        }
        guard let client else {
            _ = try? await state.withLockedValue { $0.client }?.disconnect()
            return
        }
        let futures = messages.map { client.publish($0) }
        let finished = client.eventLoop.makePromise(of: Void.self)
        let completed = NIOLockedValueBox(false)
        let finish: @Sendable () -> Void = {
            guard
                completed.withLockedValue({ done in
                    defer { done = true }
                    return !done
                })
            else { return }
            finished.succeed()
        }
        EventLoopFuture.andAllComplete(futures, on: client.eventLoop).whenComplete { _ in finish() }
        let deadline = client.eventLoop.scheduleTask(in: TimeAmount(timeout)) { finish() }
        try? await finished.futureResult.get()
        deadline.cancel()
        _ = try? await client.disconnect()
        logger.info("Status session closed", metadata: ["status.topic_prefix": "\(topics.prefix)"])
    }

    // MARK: Implementation

    private func retained(_ topic: String, _ payload: String) -> MQTTMessage {
        MQTTMessage(topic: topic, payload: payload, qos: .atLeastOnce, retain: true)
    }

    private func remember(topic: String, payload: String) {
        state.withLockedValue { state in
            if state.retained.updateValue(payload, forKey: topic) == nil {
                state.retainedOrder.append(topic)
            }
        }
    }

    private func publishRetained(topic: String, payload: String, onlyIfChanged: Bool = false) {
        if onlyIfChanged, state.withLockedValue({ $0.retained[topic] == payload }) { return }
        remember(topic: topic, payload: payload)
        send(retained(topic, payload))
    }

    /// Stops republishing `topic` after reconnects; true when it was published before.
    private func forget(topic: String) -> Bool {
        state.withLockedValue { state in
            guard state.retained.removeValue(forKey: topic) != nil else { return false }
            state.retainedOrder.removeAll { $0 == topic }
            return true
        }
    }

    /// Publishes on the client's event loop, where ``connected()`` also runs: every message is either sent after
    /// the republish of a (re)connect or dropped before it, whose snapshot already holds its retained value.
    private func send(_ message: MQTTMessage, keepWhileDisconnected: Bool = false) {
        guard let client = state.withLockedValue({ $0.client }) else { return }
        client.eventLoop.execute { [state, logger] in
            let sendNow = state.withLockedValue { state -> Bool in
                guard !state.stopped else { return false }
                if !state.connected && keepWhileDisconnected {
                    state.pendingEvents.append(message)
                    if state.pendingEvents.count > Self.pendingEventLimit { state.pendingEvents.removeFirst() }
                }
                return state.connected
            }
            guard sendNow else { return }
            client.publish(message).whenFailure { error in
                logger.debug(
                    "Status publish failed",
                    metadata: ["mqtt.topic": "\(message.topic)", "error.description": "\(error)"]
                )
            }
        }
    }

    /// Called on the client's event loop.
    private func connected() {
        let (client, messages) = state.withLockedValue { state -> (MQTTClient?, [MQTTMessage]) in
            state.connected = true
            guard !state.stopped else { return (nil, []) }
            let messages = state.retainedOrder.map { retained($0, state.retained[$0]!) } + state.pendingEvents
            state.pendingEvents.removeAll()
            return (state.client, messages)
        }
        logger.info("Status session connected", metadata: ["status.topic_prefix": "\(topics.prefix)"])
        for message in messages {
            client?.publish(message).whenFailure { _ in }
        }
    }

    private func disconnected(_ error: (any Error)?, now: NIODeadline) {
        let takeovers = state.withLockedValue { state -> Int? in
            let wasConnected = state.connected
            state.connected = false
            guard wasConnected, !state.stopped else { return nil }
            return state.takeoverWatch.connectionLost(error, now: now)
        }
        guard let takeovers else { return }
        logger.warning(
            "Status session keeps being dropped by the broker; another client is likely using its client id",
            metadata: [
                "status.client_id": "\(clientID)", "status.losses": "\(takeovers)",
                "status.window_s": "\(StatusTakeoverWatch.window.nanoseconds / 1_000_000_000)",
                "error.description": "\(error.map { "\($0)" } ?? "none")",
            ]
        )
    }

    /// The status session's client, or `nil` when TLS is configured but cannot be set up: then the session does
    /// not connect at all rather than sending the broker credentials over plain TCP.
    private func makeClient() -> MQTTClient? {
        let tls: MQTTTLSConfiguration?
        do {
            tls = try upstream.mqttTLSConfiguration()
        } catch {
            logger.error(
                "Status session not started: its TLS configuration is unusable",
                metadata: ["error.description": "\(error)"]
            )
            return nil
        }
        let configuration = upstream.mqttClientConfiguration(
            tls: tls,
            session: UpstreamSessionParameters(
                clientID: clientID,
                cleanSession: true,
                keepAlive: upstream.keepAlive,
                will: UpstreamMessage(
                    topic: topics.bridgeStatus,
                    payload: ByteBuffer(string: "offline"),
                    qos: .atLeastOnce,
                    retain: true
                ),
                username: upstream.username,
                password: upstream.password,
                reconnects: true
            )
        )
        let eventLoop = eventLoopGroup.next()
        return MQTTClient(
            configuration: configuration,
            eventLoop: eventLoop,
            logger: logger,
            messageHandler: { _ in },
            connectionHandler: { [weak self] event in
                switch event {
                case .connected:
                    self?.connected()
                case .disconnected(let error):
                    self?.disconnected(error, now: eventLoop.now)
                case .reconnecting:
                    self?.state.withLockedValue { $0.connected = false }
                }
            }
        )
    }
}
