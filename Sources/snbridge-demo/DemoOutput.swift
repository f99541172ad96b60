import Foundation

/// What the demo prints: one aligned line per event, tagged with who saw it, written at once (no buffering, so
/// it reads live even through a pipe).
enum DemoOutput {
    static func line(_ source: String, _ text: String) {
        let tag = "[\(source)]".padding(toLength: 9, withPad: " ", startingAt: 0)
        write("\(tag) \(text)")
    }

    static func summary(_ outcome: DemoScenario.Outcome, expected: Int) {
        write("")
        write("summary: \(outcome.readingsAtBroker) of \(expected) QoS 1 readings reached the broker through snbridge;")
        write(
            "         the command published on the broker \(outcome.commandReachedBoard ? "reached" : "did NOT reach") the board."
        )
        if let median = outcome.medianLatency {
            let milliseconds = Double(median.components.attoseconds) / 1e15 + Double(median.components.seconds) * 1000
            write(
                "         median time from the board's PUBLISH command to the broker subscriber: \(String(format: "%.1f", milliseconds)) ms"
            )
        }
    }

    /// A bridge log line without its timestamp: `info SNBridge: Device linked device.id=... device.path=...`.
    static func logEssence(_ line: String) -> String {
        guard line.first?.isNumber == true, let space = line.firstIndex(of: " ") else { return line }
        return String(line[line.index(after: space)...])
    }

    private static func write(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
