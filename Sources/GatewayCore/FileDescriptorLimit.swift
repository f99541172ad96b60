#if canImport(Glibc)
import Glibc
#endif

/// The process's open-file limit. Every MQTT-SN session holds an upstream TCP connection, so 10,000 sessions need
/// more than 10,000 descriptors: `snbridge run` raises its soft limit to the hard one at start (as systemd's
/// `LimitNOFILE=` sets both), and the benchmark does the same for itself and the children that inherit it.
public enum FileDescriptorLimit {
    /// Raises the soft limit to the hard limit and returns the soft limit now in force (nil if it cannot be read).
    @discardableResult
    public static func raiseToHardLimit() -> Int? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return Int(clamping: limit.rlim_cur)
    }
}
