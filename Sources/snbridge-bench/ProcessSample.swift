import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A process's resident memory and consumed CPU time at one moment, read from /proc/<pid>/status and /proc/<pid>/stat.
struct ProcessSample {
    /// VmRSS, bytes.
    var residentBytes: Int
    /// utime + stime, seconds.
    var cpuSeconds: Double
    /// When the sample was taken (CLOCK_MONOTONIC), nanoseconds.
    var takenAt: UInt64

    static func read(pid: Int32) -> ProcessSample? {
        guard let status = ProcFile.read("/proc/\(pid)/status"),
            let stat = ProcFile.read("/proc/\(pid)/stat")
        else { return nil }
        var resident = 0
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kilobytes = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first
            resident = (kilobytes.flatMap { Int($0) } ?? 0) * 1024
        }
        // The command name in parentheses may hold spaces; fields are counted after its closing parenthesis.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After ")": state is field 3 of proc(5), so utime (14) and stime (15) are at offsets 11 and 12.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ProcessSample(
            residentBytes: resident,
            cpuSeconds: (user + system) / ticks,
            takenAt: MonotonicClock.nanoseconds()
        )
    }

    /// The share of one core used between `earlier` and this sample (1.0 = one core fully busy).
    func coreShare(since earlier: ProcessSample) -> Double {
        let wall = Double(takenAt &- earlier.takenAt) / 1e9
        guard wall > 0 else { return 0 }
        return (cpuSeconds - earlier.cpuSeconds) / wall
    }
}

extension ProcessSample {
    /// The same CPU figure, as if taken at `time`; for a CPU share over an interval that started after the sample.
    func withTime(_ time: UInt64) -> ProcessSample {
        var copy = self
        copy.takenAt = time
        return copy
    }
}
