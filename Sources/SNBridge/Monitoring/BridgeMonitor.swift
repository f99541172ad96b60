import Foundation
import GatewayCore
import NIOCore
import NIOHTTP1

/// What the monitoring listener shows, gathered from the running bridge: the gateway's sessions and gauges, the
/// device registry, the status session's broker state, the recent events and the metrics.
///
/// ```
///   GET /metrics            Prometheus text format
///   GET /healthz            200 {"status":"ok",...} | 503 {"status":"unavailable","reason":...}
///   GET /readyz             200 once started, 503 while starting or stopping
///   GET /api/devices        the device records of <prefix>/devices
///   GET /api/sessions       every MQTT-SN session
///   GET /api/events         recent <prefix>/events messages, oldest first
///   GET /api/events/stream  the same, live, as server-sent events
///   GET /                   the status page
/// ```
public struct BridgeMonitor: Sendable {
    let gateway: Gateway
    let registry: DeviceRegistry
    let statusPublisher: BridgeStatusPublisher?
    let metrics: BridgeMetrics?
    let feed: StatusFeed
    let lifecycle: BridgeLifecycle

    func health() async -> HealthReport {
        let broker: HealthReport.Broker =
            statusPublisher.map { $0.isConnected ? .connected : .disconnected } ?? .unmonitored
        let bound = lifecycle.isReady ? await gateway.boundAddresses.count : 0
        return HealthReport(
            ready: lifecycle.isReady,
            stopping: lifecycle.isStopping,
            listeners: bound,
            expectedListeners: lifecycle.listeners,
            broker: broker
        )
    }

    /// The answer to one GET (or HEAD) of `path`.
    func response(to path: String) async -> MonitoringResponse {
        switch path {
        case "/metrics":
            return await metricsResponse()
        case "/healthz":
            let report = await health()
            return .json(StatusJSON.encode(report), status: report.isHealthy ? .ok : .serviceUnavailable)
        case "/readyz":
            let report = await health()
            return .json(StatusJSON.encode(report), status: report.ready ? .ok : .serviceUnavailable)
        case "/api/devices":
            return .json(StatusJSON.encode(registry.records()))
        case "/api/sessions":
            return .json(StatusJSON.encode(await sessionRecords()))
        case "/api/events":
            return .json(StatusJSON.encode(feed.recentEvents()))
        case "/":
            return MonitoringResponse(contentType: "text/html; charset=utf-8", text: await page())
        default:
            return .error(.notFound, "no such endpoint: \(path)")
        }
    }

    private func metricsResponse() async -> MonitoringResponse {
        guard let metrics else {
            return .error(.notFound, "metrics are not collected in this process")
        }
        metrics.update(
            gateway: await gateway.observation(),
            devices: registry.records(),
            brokerConnected: statusPublisher?.isConnected ?? false
        )
        var body = ByteBuffer()
        body.writeBytes(metrics.exposition())
        return MonitoringResponse(contentType: "text/plain; version=0.0.4; charset=utf-8", body: body)
    }

    func sessionRecords() async -> [SessionRecord] {
        let now = NIODeadline.now()
        let wallNow = Date()
        return await gateway.sessions().map { SessionRecord($0, now: now, wallNow: wallNow) }
    }

    func page() async -> String {
        StatusPage(
            version: SNBridgeVersion.string,
            started: lifecycle.started,
            health: await health(),
            devices: registry.records(),
            sessions: await sessionRecords(),
            events: feed.recentEvents(),
            console: registry.consoleLines(),
            now: Date()
        ).render()
    }
}
