#if canImport(Glibc)
    import Glibc
#endif

/// Raises this process's open-file limit to the hard limit. Children (mosquitto, snbridge) inherit it, which the
/// connection-scale scenario needs: 10,000 UDP sockets here, 10,000 upstream TCP sessions in each of the others.
enum FileDescriptorLimit {
    @discardableResult
    static func raiseToHardLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return -1 }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return Int(limit.rlim_cur)
    }
}
