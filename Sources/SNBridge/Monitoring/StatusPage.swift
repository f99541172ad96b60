import Foundation

/// The status page at `/`: one self-contained HTML document (no external files, works offline) with the bridge,
/// every device and session and the recent events, rendered on the server so that it reads without JavaScript.
/// Its script then follows `/api/events/stream` and redraws the tables from `/api/devices` and `/api/sessions`
/// when something changes; `data-updates` on `<body>` counts the redraws.
struct StatusPage {
    var version: String
    var started: Date
    var health: HealthReport
    var devices: [DeviceRecord]
    var sessions: [SessionRecord]
    var events: [DeviceEventMessage]
    var console: [String: [String]]
    var now: Date

    /// How many devices and sessions are listed; the rest are counted.
    static let rowLimit = 500

    func render() -> String {
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>snbridge status</title>
            <style>\(Self.style)</style>
            </head>
            <body data-updates="0">
            <header><h1>snbridge</h1>
            <p id="bridge">version <b>\(escape(version))</b> · up <b>\(Self.duration(now.timeIntervalSince(started)))</b> · broker <b class="s-\(health.broker.rawValue)" id="broker">\(escape(health.broker.rawValue))</b> · <span id="health">\(escape(health.reason ?? "healthy"))</span> · <span id="live">static</span></p>
            </header>
            <main>
            <section><h2>Devices <small id="device-count">\(devices.count)</small></h2>
            <div class="scroll"><table id="devices"><thead><tr><th>Device</th><th>State</th><th>Available</th><th>Client</th><th>Last seen</th><th>In / out</th><th>Relinks</th><th>Origin</th><th>Address</th><th>Console</th></tr></thead><tbody>
            """
        // Boards first, then UDP sensors; a bridge with thousands of sensors lists the first ones only.
        let ordered = devices.filter { $0.origin != .udp } + devices.filter { $0.origin == .udp }
        for device in ordered.prefix(Self.rowLimit) {
            html += deviceRow(device)
        }
        if ordered.count > Self.rowLimit {
            html += "<tr><td colspan=\"10\">… and \(ordered.count - Self.rowLimit) more (/api/devices lists all)</td></tr>"
        }
        html += """
            </tbody></table></div></section>
            <section><h2>Sessions <small id="session-count">\(sessions.count)</small></h2>
            <div class="scroll"><table id="sessions"><thead><tr><th>Client id</th><th>State</th><th>Topics</th><th>Queued</th><th>In / out</th><th>Last heard</th><th>Address</th></tr></thead><tbody>
            """
        for session in sessions.prefix(Self.rowLimit) {
            html += sessionRow(session)
        }
        if sessions.count > Self.rowLimit {
            html += "<tr><td colspan=\"7\">… and \(sessions.count - Self.rowLimit) more (/api/sessions lists all)</td></tr>"
        }
        html += """
            </tbody></table></div></section>
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
        return "<li><time>\(event.time.formatted(.iso8601))</time> <b class=\"e-\(event.event.rawValue)\">\(event.event.rawValue)</b> \(escape(event.device))\(reason)</li>\n"
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
