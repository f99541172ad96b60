import Foundation

/// The machine's load, recorded with each result: on a shared 2-core machine a busy neighbour explains outliers.
enum MachineLoad {
    static func oneMinuteAverage() -> Double? {
        guard let text = ProcFile.read("/proc/loadavg") else { return nil }
        return text.split(separator: " ").first.flatMap { Double($0) }
    }
}
