/// How the session store is kept (`state.*`): where, how hard commits reach the disk, and the outage buffer's caps.
public struct SessionStoreConfiguration: Sendable, Hashable {
    /// `state.directory`: the directory of the store file, or `none` for memory only.
    public var location: SessionStoreLocation
    /// `state.synchronous`: see ``SessionStoreSynchronous``. Defaults to `full`.
    public var synchronous: SessionStoreSynchronous
    /// The most one client may have in the outage buffer.
    public var outageBufferPerClient: OutageBufferLimits
    /// The most all clients together may have in the outage buffer (what the disk is asked to hold).
    public var outageBufferTotal: OutageBufferLimits

    public init(
        location: SessionStoreLocation = .directory(SessionStoreConfiguration.defaultDirectory),
        synchronous: SessionStoreSynchronous = .full,
        outageBufferPerClient: OutageBufferLimits = SessionStoreConfiguration.defaultOutageBufferPerClient,
        outageBufferTotal: OutageBufferLimits = SessionStoreConfiguration.defaultOutageBufferTotal
    ) {
        self.location = location
        self.synchronous = synchronous
        self.outageBufferPerClient = outageBufferPerClient
        self.outageBufferTotal = outageBufferTotal
    }

    /// `/var/lib/snbridge`, where the systemd unit's `StateDirectory=` puts it.
    public static let defaultDirectory = "/var/lib/snbridge"
    /// The store's file inside the directory; SQLite adds `-wal` and `-shm` beside it.
    public static let fileName = "sessions.sqlite"
    /// 1,000 messages or 1 MiB per client.
    public static let defaultOutageBufferPerClient = OutageBufferLimits(messages: 1_000, bytes: 1 << 20)
    /// 100,000 messages or 64 MiB in all.
    public static let defaultOutageBufferTotal = OutageBufferLimits(messages: 100_000, bytes: 64 << 20)

    /// The store file's path, or `nil` in memory.
    public var filePath: String? {
        guard case .directory(let directory) = location else { return nil }
        return directory.hasSuffix("/") ? directory + Self.fileName : directory + "/" + Self.fileName
    }
}
