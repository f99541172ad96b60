/// Something wrong the store found when it opened, and what it did about it; also logged as an error.
public struct SessionStoreProblem: Sendable, Hashable, CustomStringConvertible {
    /// What the store did.
    public enum Action: Sendable, Hashable {
        /// The file (with its `-wal` and `-shm`) was renamed to this path and a new, empty store created.
        case movedAside(to: String)
        /// The store runs in memory: nothing written survives the process. The file, if any, is left as it is.
        case runningInMemory
        /// Records in the file that broke the store's caps were left out of the restore (and deleted).
        case skippedRecords(count: Int)
    }

    /// The file or directory concerned.
    public var file: String
    /// What is wrong with it, in SQLite's or the system's words.
    public var reason: String
    public var action: Action

    public var description: String {
        switch action {
        case .movedAside(let path): "\(file): \(reason); moved aside to \(path), starting with an empty store"
        case .runningInMemory: "\(file): \(reason); running with the session store in memory"
        case .skippedRecords(let count): "\(file): \(reason); left out \(count) record(s)"
        }
    }
}
