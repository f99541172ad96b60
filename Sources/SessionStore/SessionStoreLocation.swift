/// Where a ``SessionStore`` keeps its data (`state.directory`).
public enum SessionStoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// A SQLite file, ``SessionStoreConfiguration/fileName``, in this directory (created if missing).
    case directory(String)
    /// `state.directory: none`: everything in memory; nothing survives the process.
    case inMemory

    public var description: String {
        switch self {
        case .directory(let path): path
        case .inMemory: "none (in memory)"
        }
    }
}
