import Logging
import ServiceLifecycle
import SessionStore

/// The session store under swift-service-lifecycle: opened before the service group starts (the gateway is handed
/// it, with what it restored), first in the group so that it shuts down last, after the gateway: it then commits
/// what is still queued and closes the file.
public struct SessionStoreService: Service, CustomStringConvertible {
    public let store: SessionStore
    let logger: Logger

    public init(store: SessionStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public var description: String { "SessionStoreService" }

    public func run() async throws {
        // Cancellation (another service failed) ends the wait as well; either way the store is flushed and closed.
        try? await gracefulShutdown()
        await store.close()
        let statistics = store.statistics
        logger.info(
            "Session store closed",
            metadata: [
                "store.file": "\(store.filePath ?? ":memory:")",
                "store.commits": "\(statistics.commits)",
                "store.failed_commits": "\(statistics.failedCommits)",
            ]
        )
    }
}
