import Foundation
import TestSupport
import Testing

@testable import SNBridge

extension MonitoringEndToEndTests {
    @Test(
        "Paging over real HTTP: ?offset=&limit= on /api/devices, /api/sessions and the page; bad parameters get 400 with the reason"
    )
    func paging() async throws {
        let directory = try SerialBridgeEndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let broker = try await MosquittoBroker.start()
        let udpPort = try FreePort.udp()
        let httpPort = try FreePort.tcp()
        let bridge = try await SNBridgeProcess.start(
            yaml: Self.yaml(broker: broker.port, udp: udpPort, http: httpPort),
            in: directory
        )
        try await bridge.waitForLog("Monitoring HTTP listening")
        let probe = MonitoringProbe(port: httpPort)
        var sensors: [UDPSensor] = []
        for index in 0..<5 {
            let sensor = try await UDPSensor.start(gatewayPort: udpPort)
            #expect(try await sensor.connect(clientID: "pager-\(index)") == .accepted)
            sensors.append(sensor)
        }
        let ids = (0..<5).map { "udp-pager-\($0)" }
        _ = try await Self.logOnFailure(bridge) {
            try await probe.waitFor("/api/devices") { Self.records($0).filter { $0.online == true }.count == 5 }
        }

        // Without parameters: every record, as before paging, with the count.
        let all = try await probe.get("/api/devices")
        #expect(Self.records(all).map(\.id) == ids)
        #expect(all.headers?["x-total-count"] == "5")
        #expect(all.headers?["link"] == nil)

        // A middle page: its rows, the count of all, and links both ways.
        let middle = try await probe.get("/api/devices?offset=2&limit=2")
        #expect(middle.status == 200)
        #expect(Self.records(middle).map(\.id) == ["udp-pager-2", "udp-pager-3"])
        #expect(middle.headers?["x-total-count"] == "5")
        #expect(
            middle.headers?["link"]
                == "</api/devices?offset=4&limit=2>; rel=\"next\", </api/devices?offset=0&limit=2>; rel=\"prev\""
        )
        let last = try await probe.get("/api/devices?offset=4&limit=2")
        #expect(Self.records(last).map(\.id) == ["udp-pager-4"])
        #expect(last.headers?["link"] == "</api/devices?offset=2&limit=2>; rel=\"prev\"")
        let beyond = try await probe.get("/api/devices?offset=50")
        #expect(beyond.status == 200 && Self.records(beyond).isEmpty && beyond.headers?["x-total-count"] == "5")

        let sessions = try await probe.get("/api/sessions?offset=1&limit=3")
        let clientIDs = try StatusJSON.decode([SessionRecord].self, from: sessions.body ?? "").map(\.clientID)
        #expect(clientIDs == ["pager-1", "pager-2", "pager-3"])
        #expect(sessions.headers?["x-total-count"] == "5")

        // The page: only its rows, server-rendered, the totals in the headings and plain links to the others.
        let page = try await probe.get("/?offset=2&limit=2")
        let html = try #require(page.body)
        #expect(page.status == 200)
        #expect(html.contains("<tr data-device=\"udp-pager-2\">") && html.contains("<tr data-device=\"udp-pager-3\">"))
        #expect(
            !html.contains("<tr data-device=\"udp-pager-1\">") && !html.contains("<tr data-device=\"udp-pager-4\">")
        )
        #expect(html.contains("<small id=\"device-count\">5</small>"))
        #expect(html.contains("<small id=\"session-count\">5</small>"))
        #expect(html.contains("rows <span class=\"rows\">3–4</span> of <span class=\"total\">5</span>"))
        #expect(html.contains("<a rel=\"next\" href=\"/?offset=4&limit=2\">next 2 ›</a>"))
        #expect(html.contains("<a rel=\"prev\" href=\"/?offset=0&limit=2\">‹ previous 2</a>"))
        #expect(html.contains("data-offset=\"2\" data-limit=\"2\""))
        let first = try #require(try await probe.get("/").body)
        #expect(ids.allSatisfy { first.contains("<tr data-device=\"\($0)\">") })
        // All five fit on the first page: no links to other pages.
        #expect(
            first.contains(
                "<p class=\"pages\" id=\"device-pages\">rows <span class=\"rows\">1–5</span> of <span class=\"total\">5</span> · <a href=\"/api/devices?offset=0&limit=100\">JSON</a></p>"
            )
        )

        // Bad parameters: 400 with a JSON reason naming what is wrong.
        let bad: [(String, String)] = [
            ("/api/devices?limit=abc", "limit must be a whole number from 1 to 10000, not 'abc'"),
            ("/api/devices?limit=0", "limit must be a whole number from 1 to 10000, not '0'"),
            ("/api/sessions?offset=-1", "offset must be a whole number from 0, not '-1'"),
            ("/api/sessions?limit=20000", "limit must be a whole number from 1 to 10000, not '20000'"),
            ("/api/devices?offset=1&offset=2", "offset is given more than once"),
            ("/api/devices?page=2", "unknown parameter 'page' (offset and limit are known)"),
            ("/?limit=5000", "limit must be at most 1000 on the status page"),
            ("/?offset=x", "offset must be a whole number from 0, not 'x'"),
        ]
        for (path, reason) in bad {
            let response = try await probe.get(path)
            #expect(response.status == 400, "\(path)")
            #expect(response.content_type == "application/json", "\(path)")
            #expect(
                try StatusJSON.decode([String: String].self, from: response.body ?? "") == ["error": reason],
                "\(path)"
            )
        }

        for sensor in sensors { await sensor.close() }
        bridge.process.send(signal: SIGTERM)
        #expect(try await bridge.process.waitForExit(timeout: .seconds(15)) == 0)
        await broker.stop()
    }
}
