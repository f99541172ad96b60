import GatewayCore
import Logging
import MQTTClient
import NIOConcurrencyHelpers
import NIOCore

/// Reads a running bridge's retained device list from the broker, giving up after a short time.
struct LiveDeviceQuery {
    let upstream: GatewayConfiguration.Upstream
    let topics: StatusTopics
    let timeout: Duration
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger

    /// What the broker said about the bridge.
    enum Answer: Equatable {
        /// The retained device list, and whether the bridge's own retained status says `offline` (its devices'
        /// states are then its last word, not the present).
        case devices([DeviceRecord], bridgeOffline: Bool)
        /// The broker answered but holds no device list (no bridge with this topic prefix has run there).
        case noDeviceList
        /// The broker could not be reached or refused the session; the sentence says why.
        case unreachable(String)
    }

    /// Asks the broker, giving up after ``timeout``.
    func fetch() async -> Answer {
        let eventLoop = eventLoopGroup.next()
        let answer = eventLoop.makePromise(of: String?.self)
        let answered = NIOLockedValueBox(false)
        let bridgeStatus = NIOLockedValueBox<String?>(nil)
        let complete: @Sendable (String?) -> Void = { payload in
            guard
                answered.withLockedValue({ done in
                    defer { done = true }
                    return !done
                })
            else { return }
            answer.succeed(payload)
        }
        let tls: MQTTTLSConfiguration?
        do {
            tls = try upstream.mqttTLSConfiguration()
        } catch {
            // Refused rather than falling back to plain TCP with the credentials.
            return .unreachable("its TLS settings (broker.tls) cannot be used: \(error)")
        }
        let client = MQTTClient(
            configuration: upstream.mqttClientConfiguration(
                tls: tls,
                session: UpstreamSessionParameters(
                    clientID: "",
                    cleanSession: true,
                    keepAlive: 60,
                    username: upstream.username,
                    password: upstream.password
                ),
                connectTimeout: TimeAmount(timeout)
            ),
            eventLoop: eventLoop,
            logger: logger,
            messageHandler: { message in
                // The broker sends the retained messages in the order of the filters: the bridge's status first.
                if message.topic == topics.bridgeStatus {
                    bridgeStatus.withLockedValue { $0 = String(buffer: message.payload) }
                } else if message.topic == topics.deviceList {
                    complete(String(buffer: message.payload))
                }
            }
        )
        let deadline = eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            complete(nil)
        }
        var failure: String?
        do {
            try await client.connect()
            try await client.subscribe([
                MQTTSubscription(topicFilter: topics.bridgeStatus, qos: .atMostOnce),
                MQTTSubscription(topicFilter: topics.deviceList, qos: .atMostOnce),
            ])
        } catch {
            failure = "\(error)"
            complete(nil)
        }
        let payload = try? await answer.futureResult.get()
        deadline.cancel()
        _ = try? await client.disconnect()
        if let failure {
            return .unreachable(failure)
        }
        guard let payload = payload ?? nil, let records = try? StatusJSON.decode([DeviceRecord].self, from: payload)
        else {
            return .noDeviceList
        }
        return .devices(records, bridgeOffline: bridgeStatus.withLockedValue { $0 } == "offline")
    }
}
