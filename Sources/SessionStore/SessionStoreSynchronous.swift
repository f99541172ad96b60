/// How hard a commit is pushed to the disk (`state.synchronous`), SQLite's `PRAGMA synchronous` in WAL mode.
///
/// Both survive a SIGKILL, an OOM kill or a crash at any instant: a committed transaction is in the WAL file
/// (the kernel's page cache) before the commit returns, and SQLite replays the WAL at the next open. They differ on
/// a power cut or a kernel panic:
///
/// | mode     | fsync                           | after a power cut                                         |
/// |----------|---------------------------------|-----------------------------------------------------------|
/// | `full`   | the WAL at every commit         | every commit reported durable is there                    |
/// | `normal` | only at checkpoints             | the store is consistent, but the last commits may be gone |
///
/// `full` is the default: the outage buffer and QoS 2 ids are acknowledged to devices only once durable, and a
/// board on a Pi loses power more often than its bridge crashes. Commits are grouped (everything queued while one
/// commit runs goes into the next), so the fsync is paid per group, not per write.
public enum SessionStoreSynchronous: String, Sendable, Hashable, CaseIterable {
    case normal
    case full

    /// The `PRAGMA synchronous` value.
    var pragma: String {
        switch self {
        case .normal: "NORMAL"
        case .full: "FULL"
        }
    }
}
