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
///   GET /api/devices        the device records of <prefix>/devices (boards first, then UDP sensors)
///   GET /api/sessions       every MQTT-SN session
///   GET /api/events         recent <prefix>/events messages, oldest first
///   GET /api/events/stream  the same, live, as server-sent events
///   GET /                   the status page
/// ```
///
/// `/`, `/api/devices` and `/api/sessions` take `?offset=&limit=` (``PageRequest``): the lists answer all rows
/// without `limit`, the page its first ``StatusPage/defaultLimit``; a paged list says how many rows there are in
/// `X-Total-Count` and links the next page in `Link`. A bad parameter gets 400 with the reason.
///
/// Nothing here walks every session or device: the gauges are kept as they change (``GatewayGauges``,
/// ``DeviceTally``), and a page only looks at its own rows.
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

    /// The answer to one GET (or HEAD) of `path` with `query` (what follows `?`, without it).
    func response(to path: String, query: Substring = "") async -> MonitoringResponse {
        do {
            return try await answer(to: path, query: query)
        } catch {
            return .error(.badRequest, error.reason)
        }
    }

    private func answer(to path: String, query: Substring) async throws(PageRequestError) -> MonitoringResponse {
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
            let request = try PageRequest(query: query)
            let page = registry.page(offset: request.offset, limit: request.count)
            return .jsonPage(StatusJSON.encode(page.records), path: path, request: request, total: page.total)
        case "/api/sessions":
            let request = try PageRequest(query: query)
            let page = await sessionRecords(request)
            return .jsonPage(StatusJSON.encode(page.records), path: path, request: request, total: page.total)
        case "/api/events":
            return .json(StatusJSON.encode(feed.recentEvents()))
        case "/":
            let request = try PageRequest(query: query, defaultLimit: StatusPage.defaultLimit)
            guard (request.limit ?? 0) <= StatusPage.maximumLimit else {
                throw PageRequestError("limit must be at most \(StatusPage.maximumLimit) on the status page")
            }
            return MonitoringResponse(contentType: "text/html; charset=utf-8", text: await page(request))
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
            devices: registry.tally(),
            brokerConnected: statusPublisher?.isConnected ?? false
        )
        if metrics.wantsPerDeviceSeries { metrics.updatePerDevice(registry.records()) }
        var body = ByteBuffer()
        body.writeBytes(metrics.exposition())
        return MonitoringResponse(contentType: "text/plain; version=0.0.4; charset=utf-8", body: body)
    }

    /// One page of the sessions as records.
    func sessionRecords(_ request: PageRequest = PageRequest()) async -> (total: Int, records: [SessionRecord]) {
        let page = await gateway.sessions(offset: request.offset, limit: request.count)
        let now = NIODeadline.now()
        let wallNow = Date()
        return (page.total, page.sessions.map { SessionRecord($0, now: now, wallNow: wallNow) })
    }

    /// The status page with the rows `request` asks for.
    func page(_ request: PageRequest = PageRequest(limit: StatusPage.defaultLimit)) async -> String {
        let devices = registry.page(offset: request.offset, limit: request.count)
        let sessions = await sessionRecords(request)
        return StatusPage(
            version: SNBridgeVersion.string,
            started: lifecycle.started,
            health: await health(),
            devices: devices.records,
            deviceTotal: devices.total,
            sessions: sessions.records,
            sessionTotal: sessions.total,
            page: request,
            events: feed.recentEvents(),
            console: registry.consoleLines(ids: devices.records.map(\.id)),
            now: Date()
        ).render()
    }
}
