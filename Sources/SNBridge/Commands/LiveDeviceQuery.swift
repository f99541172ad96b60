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

    /// The retained list, or `nil` when the broker or the list could not be had within the timeout.
    func fetch() async -> [DeviceRecord]? {
        let eventLoop = eventLoopGroup.next()
        let answer = eventLoop.makePromise(of: String?.self)
        let answered = NIOLockedValueBox(false)
        let complete: @Sendable (String?) -> Void = { payload in
            guard
                answered.withLockedValue({ done in
                    defer { done = true }
                    return !done
                })
            else { return }
            answer.succeed(payload)
        }
        var tls: MQTTTLSConfiguration?
        if let settings = upstream.tls {
            tls = try? MQTTTLSConfiguration(
                caFile: settings.caFile, certificateFile: settings.certificateFile, privateKeyFile: settings.keyFile,
                serverName: settings.serverName
            )
        }
        let client = MQTTClient(
            configuration: MQTTClientConfiguration(
                host: upstream.host,
                port: upstream.port,
                tls: tls,
                protocolVersion: upstream.protocolVersion == .v5 ? .v5 : .v3_1_1,
                clientID: "",
                cleanSession: true,
                username: upstream.username,
                password: upstream.password.map { Array($0.utf8) },
                connectTimeout: TimeAmount(timeout)
            ),
            eventLoop: eventLoop,
            logger: logger,
            messageHandler: { message in
                guard message.topic == topics.deviceList else { return }
                complete(String(buffer: message.payload))
            }
        )
        let deadline = eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            complete(nil)
        }
        do {
            try await client.connect()
            try await client.subscribe([MQTTSubscription(topicFilter: topics.deviceList, qos: .atMostOnce)])
        } catch {
            logger.notice("No live device state: broker not reachable", metadata: ["error": "\(error)"])
            complete(nil)
        }
        let payload = try? await answer.futureResult.get()
        deadline.cancel()
        _ = try? await client.disconnect()
        guard let payload = payload ?? nil else { return nil }
        return try? StatusJSON.decode([DeviceRecord].self, from: payload)
    }
}
