import Foundation

/// The status page at `/`: one self-contained HTML document (no external files, works offline) with the bridge,
/// the devices and sessions and the recent events, rendered on the server so that it reads without JavaScript.
/// Its script then follows `/api/events/stream` and redraws the tables from `/api/devices` and `/api/sessions`
/// (the same page of them) when something changes; `data-updates` on `<body>` counts the redraws.
///
/// The tables are paged: `/?offset=&limit=` shows rows `offset` to `offset + limit` of both lists (devices:
/// boards first, then UDP sensors; sessions by client id), ``defaultLimit`` rows from the first without
/// parameters, with links to the next and previous pages; the headings count every device and session.
struct StatusPage {
    var version: String
    var started: Date
    var health: HealthReport
    /// The devices and sessions on this page, and how many there are in all.
    var devices: [DeviceRecord]
    var deviceTotal: Int
    var sessions: [SessionRecord]
    var sessionTotal: Int
    /// The rows shown.
    var page: PageRequest
    var events: [DeviceEventMessage]
    var console: [String: [String]]
    var now: Date

    /// Rows of each table without `?limit=`.
    static let defaultLimit = 100
    /// The most rows of each table one page shows.
    static let maximumLimit = 1000

    func render() -> String {
        var html = ""
        html.reserveCapacity(16_384 + 512 * (devices.count + sessions.count) + 160 * events.count)
        html += """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>snbridge status</title>
            <style>\(Self.style)</style>
            </head>
            <body data-updates="0" data-offset="\(page.offset)" data-limit="\(page.limit ?? Self.defaultLimit)">
            <header><h1>snbridge</h1>
            <p id="bridge">version <b>\(escape(version))</b> · up <b>\(Self.duration(now.timeIntervalSince(started)))</b> · broker <b class="s-\(health.broker.rawValue)" id="broker">\(escape(health.broker.rawValue))</b> · <span id="health">\(escape(health.reason ?? "healthy"))</span> · <span id="live">static</span></p>
            </header>
            <main>
            <section><h2>Devices <small id="device-count">\(deviceTotal)</small></h2>
            <div class="scroll"><table id="devices"><thead><tr><th>Device</th><th>State</th><th>Available</th><th>Client</th><th>Last seen</th><th>In / out</th><th>Relinks</th><th>Origin</th><th>Address</th><th>Console</th></tr></thead><tbody>
            """
        // Boards first, then UDP sensors (the registry's list order).
        for device in devices {
            html += deviceRow(device)
        }
        html += "</tbody></table></div>"
        html += pager(id: "device-pages", shown: devices.count, total: deviceTotal, api: "/api/devices")
        html += """
            </section>
            <section><h2>Sessions <small id="session-count">\(sessionTotal)</small></h2>
            <div class="scroll"><table id="sessions"><thead><tr><th>Client id</th><th>State</th><th>Topics</th><th>Queued</th><th>In / out</th><th>Last heard</th><th>Address</th></tr></thead><tbody>
            """
        for session in sessions {
            html += sessionRow(session)
        }
        html += "</tbody></table></div>"
        html += pager(id: "session-pages", shown: sessions.count, total: sessionTotal, api: "/api/sessions")
        html += """
            </section>
            <section><h2>Events</h2><ol id="events" reversed>
            """
        for event in events.reversed() {
            html += eventItem(event)
        }
        html += """
            </ol></section>
            </main>
            <footer>JSON: <a href="/api/devices">/api/devices</a> · <a href="/api/sessions">/api/sessions</a> · <a href="/api/events">/api/events</a> · <a href="/metrics">/metrics</a> · <a href="/healthz">/healthz</a></footer>
            <script>\(Self.script)</script>
            </body></html>
            """
        return html
    }

    /// `rows 101–200 of 10000 · ‹ previous 100 · next 100 ›`: plain links, so that paging needs no script.
    private func pager(id: String, shown: Int, total: Int, api: String) -> String {
        let limit = page.limit ?? Self.defaultLimit
        let first = shown == 0 ? page.offset : page.offset + 1
        var text =
            "<p class=\"pages\" id=\"\(id)\">rows <span class=\"rows\">\(first)–\(page.offset + shown)</span> of <span class=\"total\">\(total)</span>"
        if let previous = PageRequest(offset: page.offset, limit: limit).previous() {
            text += " · <a rel=\"prev\" href=\"/?\(previous.query)\">‹ previous \(limit)</a>"
        }
        if let next = PageRequest(offset: page.offset, limit: limit).next(total: total) {
            text += " · <a rel=\"next\" href=\"/?\(next.query)\">next \(limit) ›</a>"
        }
        text += " · <a href=\"\(api)?\(PageRequest(offset: page.offset, limit: limit).query)\">JSON</a></p>\n"
        return text
    }

    private func deviceRow(_ device: DeviceRecord) -> String {
        let counters = device.counters
        let traffic: String
        if device.origin == .udp {
            traffic = "\(counters?.messagesIn ?? 0) / \(counters?.messagesOut ?? 0) msgs"
        } else {
            traffic = "\(counters?.framesIn ?? 0) / \(counters?.framesOut ?? 0) frames"
        }
        let lines = console[device.id] ?? []
        let consoleCell =
            lines.isEmpty
            ? ""
            : "<details><summary>\(lines.count) lines</summary><pre>\(escape(lines.joined(separator: "\n")))</pre></details>"
        let state = device.state + (device.reason.map { ": " + $0 } ?? "")
        return """
            <tr data-device="\(escape(device.id))"><td class="id" title="\(escape(device.id))">\(escape(device.id))</td>\
            <td class="s-\(escape(device.state))">\(escape(state))</td>\
            <td class="\(device.online == true ? "s-online" : "s-offline")">\(device.online == true ? "online" : "offline")</td>\
            <td>\(escape(device.client.map { "\($0.id) (\($0.state.rawValue))" } ?? "–"))</td>\
            <td>\(Self.ago(device.lastSeen, now: now))</td><td>\(traffic)</td><td>\(counters?.relinks ?? 0)</td>\
            <td>\(device.origin.rawValue)</td><td class="id" title="\(escape(device.path))">\(escape(device.path))</td><td>\(consoleCell)</td></tr>

            """
    }

    private func sessionRow(_ session: SessionRecord) -> String {
        """
        <tr><td class="id" title="\(escape(session.clientID))">\(escape(session.clientID))</td>\
        <td class="s-\(session.state)">\(session.state)</td><td>\(session.topics)</td><td>\(session.pendingMessages)</td>\
        <td>\(session.messagesIn) / \(session.messagesOut)</td><td>\(Self.ago(session.lastHeard, now: now))</td>\
        <td class="id" title="\(escape(session.address))">\(escape(session.address))</td></tr>

        """
    }

    private func eventItem(_ event: DeviceEventMessage) -> String {
        let reason = event.reason.map { " – " + escape($0) } ?? ""
        return
            "<li><time>\(event.time.formatted(.iso8601))</time> <b class=\"e-\(event.event.rawValue)\">\(event.event.rawValue)</b> \(escape(event.device))\(reason)</li>\n"
    }

    /// HTML text and attribute escaping for everything a device or client chose (ids, console lines, reasons).
    func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    static func ago(_ date: Date?, now: Date) -> String {
        guard let date else { return "–" }
        return duration(max(0, now.timeIntervalSince(date))) + " ago"
    }

    static func duration(_ seconds: TimeInterval) -> String {
        let total = Int(seconds)
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m \(total % 60)s" }
        if total < 86_400 { return "\(total / 3600)h \(total % 3600 / 60)m" }
        return "\(total / 86_400)d \(total % 86_400 / 3600)h"
    }
}
