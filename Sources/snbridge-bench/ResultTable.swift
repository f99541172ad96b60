import Foundation

/// The human-readable summary printed after every scenario ran (and pasted into BENCHMARKS.md).
enum ResultTable {
    static func render(_ results: [ScenarioResult]) -> String {
        let header = [
            "scenario", "path", "N", "QoS", "bytes", "mode", "offered/s", "delivered/s", "lost", "p50 µs", "p99 µs",
            "max µs", "bridge CPU", "bridge µs/msg", "bridge RSS", "target",
        ]
        var rows = [header]
        for result in results {
            rows.append([
                result.scenario,
                result.path,
                result.clients.map(String.init) ?? "",
                result.qos.map(String.init) ?? "",
                result.payloadBytes.map(String.init) ?? "",
                result.mode ?? "",
                result.offeredPerSecond.map { format($0, decimals: 0) } ?? "",
                result.deliveredPerSecond.map { format($0, decimals: 0) } ?? "",
                lostText(result),
                result.latencyP50Microseconds.map { format($0, decimals: 0) } ?? "",
                result.latencyP99Microseconds.map { format($0, decimals: 0) } ?? "",
                result.latencyMaxMicroseconds.map { format($0, decimals: 0) } ?? "",
                result.bridgeCPU.map { format($0 * 100, decimals: 0) + "%" } ?? "",
                costPerMessage(result),
                result.bridgeResidentBytes.map { format(Double($0) / 1_048_576, decimals: 1) + " MiB" } ?? "",
                targetText(result),
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines: [String] = []
        for (number, row) in rows.enumerated() {
            lines.append(
                "| "
                    + row.enumerated().map {
                        $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0)
                    }
                    .joined(separator: " | ") + " |"
            )
            if number == 0 {
                lines.append("|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The bridge's CPU time per delivered message: the figure that decides throughput on a small machine.
    private static func costPerMessage(_ result: ScenarioResult) -> String {
        guard let cpu = result.bridgeCPU, let rate = result.deliveredPerSecond ?? result.offeredPerSecond, rate > 0,
            result.scenario != "scale"
        else { return "" }
        return format(cpu * 1e6 / rate, decimals: 1)
    }

    private static func lostText(_ result: ScenarioResult) -> String {
        guard let lost = result.lost else { return "" }
        var parts: [String] = []
        if let dropped = result.droppedAtBridgeSocket, dropped > 0 { parts.append("\(dropped) at socket") }
        if let dropped = result.droppedByBroker, dropped > 0 { parts.append("\(dropped) by broker") }
        return parts.isEmpty ? "\(lost)" : "\(lost) (\(parts.joined(separator: ", ")))"
    }

    private static func targetText(_ result: ScenarioResult) -> String {
        guard let target = result.target else { return "" }
        switch result.targetMet {
        case true?: return "MET: \(target)"
        case false?: return "NOT MET: \(target)"
        case nil: return target
        }
    }

    static func format(_ value: Double, decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }
}
