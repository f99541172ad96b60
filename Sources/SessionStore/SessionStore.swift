import Foundation
import GRDB
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The durable session store: per-session records (opaque, versioned blobs keyed by client id) and the outage
/// buffer (a per-client FIFO), in one SQLite file in WAL mode, written behind the event loop.
///
/// ```
///   event loop ──save/append──► WriteBehindQueue (under one lock) ──batch──► GRDB's serial queue: one transaction
///        ▲                                                                                 │ commit
///        └──────────────── whenDurable(ticket) futures succeed ◄───────────────────────────┘
/// ```
///
/// Open it with ``open(configuration:logger:)`` before the gateway starts (it reads every stored session then),
/// and ``close()`` it after the gateway stopped: queued writes are committed first.
/// A file SQLite calls corrupt is moved aside (renamed with a timestamp) and a new store created; a directory that
/// cannot be written gives a store in memory. Both are reported in ``problems`` and logged with the file and reason,
/// so a damaged disk never stops the bridge from starting.
public final class SessionStore: SessionPersistence, CustomStringConvertible {
    public let configuration: SessionStoreConfiguration
    /// The store file, or `nil` when the store is in memory.
    public let filePath: String?
    public var isDurable: Bool { filePath != nil }
    /// What was wrong when the store opened, and what it did about it (also logged).
    public let problems: [SessionStoreProblem]

    let database: DatabaseQueue
    let logger: Logger
    let state: NIOLockedValueBox<State>

    struct State {
        var queue: WriteBehindQueue
        var waiters: [(ticket: UInt64, promise: EventLoopPromise<Void>)] = []
        var restored: [SessionRecord]
        /// Commits failed in a row; decides the retry delay and which failures are logged.
        var failureStreak = 0
        var databaseClosed = false
    }

    init(
        configuration: SessionStoreConfiguration,
        database: DatabaseQueue,
        filePath: String?,
        problems: [SessionStoreProblem],
        contents: Contents,
        logger: Logger
    ) {
        var queue = WriteBehindQueue(
            perClientLimits: configuration.outageBufferPerClient,
            totalLimits: configuration.outageBufferTotal
        )
        queue.restoreOutage(contents.outage)
        queue.restoreIncarnations(
            first: contents.firstIncarnation,
            reservedThrough: contents.incarnationsReservedThrough
        )
        self.configuration = configuration
        self.database = database
        self.filePath = filePath
        self.problems = problems
        self.logger = logger
        self.state = NIOLockedValueBox(State(queue: queue, restored: contents.sessions))
    }

    public var description: String { "SessionStore(\(filePath ?? "in memory"))" }

    /// What the store found in its file at open.
    struct Contents {
        var sessions: [SessionRecord] = []
        var outage: [(clientID: String, sequence: UInt64, size: Int)] = []
        var firstIncarnation: UInt64
        var incarnationsReservedThrough: UInt64
    }

    /// What the store has done so far.
    public var statistics: SessionStoreStatistics {
        state.withLockedValue { $0.queue.statistics }
    }

    // MARK: - SessionPersistence

    public func takeRestoredSessions() -> [SessionRecord] {
        state.withLockedValue { state in
            defer { state.restored = [] }
            return state.restored
        }
    }

    @discardableResult
    public func save(_ record: SessionRecord) throws(SessionStoreError) -> SessionStoreTicket {
        if let problem = record.problem { throw problem }
        var record = record
        record.updatedAt = Date()
        let accepted = try withQueue { queue throws(SessionStoreError) in try queue.save(record) }
        return scheduled(accepted)
    }

    @discardableResult
    public func removeSession(clientID: String) throws(SessionStoreError) -> SessionStoreTicket {
        if let problem = SessionStoreError.clientIDProblem(clientID) { throw problem }
        let accepted = try withQueue { queue throws(SessionStoreError) in try queue.removeSession(clientID: clientID)
        }
        return scheduled(accepted)
    }

    public func whenDurable(_ ticket: SessionStoreTicket, on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        state.withLockedValue { state in
            switch state.queue.durability(of: ticket) {
            case .durable:
                return eventLoop.makeSucceededVoidFuture()
            case .failed:
                return eventLoop.makeFailedFuture(writeFailure(reason: "the commit of write \(ticket) failed"))
            case .pending:
                let promise = eventLoop.makePromise(of: Void.self)
                state.waiters.append((ticket.rawValue, promise))
                return promise.futureResult
            }
        }
    }

    public func allocateIncarnation() -> UInt64 {
        let (incarnation, demand) = state.withLockedValue { $0.queue.allocateIncarnation() }
        switch demand {
        case .none:
            break
        case .schedule:
            scheduleFlush()
        case .reserveNow(let through):
            reserveIncarnationsNow(through: through)
        }
        return incarnation
    }

    // MARK: - Flushing and closing

    /// Waits until every write queued so far is committed; throws when one of their commits failed.
    public func flush() async throws {
        let ticket = state.withLockedValue { $0.queue.latestTicket }
        try await whenDurable(ticket, on: MultiThreadedEventLoopGroup.singleton.any()).get()
    }

    /// Refuses further writes, commits what is queued, and closes the file. Writes that still cannot be committed
    /// are logged as lost.
    public func close() async {
        let wasClosed = state.withLockedValue { state in
            defer { state.queue.close() }
            return state.queue.isClosed
        }
        guard !wasClosed else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            database.asyncWriteWithoutTransaction { database in
                self.drain(database)
                continuation.resume()
            }
        }
        let (waiters, lost) = state.withLockedValue { state in
            state.databaseClosed = true
            let waiters = state.waiters
            state.waiters = []
            return (waiters, state.queue.takeBatch() != nil)
        }
        let error = SessionStoreError.closed
        for waiter in waiters { waiter.promise.fail(error) }
        if lost {
            logger.error("Session store closed with writes that could not be committed", metadata: metadata)
        }
        do {
            try database.close()
        } catch {
            logger.warning("Closing the session store failed", metadata: metadata(error))
        }
    }

    // MARK: - Internals

    /// Runs `body` on the write-behind queue under the lock, keeping its typed error.
    func withQueue<T>(_ body: (inout WriteBehindQueue) throws(SessionStoreError) -> T) throws(SessionStoreError) -> T {
        let result: Result<T, SessionStoreError> = state.withLockedValue { state in
            Result { () throws(SessionStoreError) -> T in try body(&state.queue) }
        }
        return try result.get()
    }

    /// Schedules a flush when the write asked for one, and returns its ticket.
    func scheduled(_ accepted: WriteBehindQueue.Accepted) -> SessionStoreTicket {
        if accepted.scheduleFlush { scheduleFlush() }
        return accepted.ticket
    }

    func scheduleFlush() {
        database.asyncWriteWithoutTransaction { database in self.drain(database) }
    }

    func writeFailure(reason: String) -> SessionStoreError {
        .writeFailed(file: filePath ?? ":memory:", reason: reason)
    }

    var metadata: Logger.Metadata {
        ["store.file": "\(filePath ?? ":memory:")"]
    }

    func metadata(_ error: any Error) -> Logger.Metadata {
        metadata.merging(["error.description": "\(error)"]) { $1 }
    }

    /// Resolves the waiters of every ticket through `upperBound`; runs under the lock, completes outside it.
    static func takeWaiters(through upperBound: UInt64, from state: inout State) -> [EventLoopPromise<Void>] {
        var resolved: [EventLoopPromise<Void>] = []
        state.waiters.removeAll { waiter in
            guard waiter.ticket <= upperBound else { return false }
            resolved.append(waiter.promise)
            return true
        }
        return resolved
    }

    /// Takes and commits batches until nothing is pending; on the database's serial queue. A failed commit is retried
    /// after a delay growing from 50 ms to 5 s.
    func drain(_ database: Database) {
        while true {
            let batch: WriteBehindQueue.Batch? = state.withLockedValue { state in
                state.databaseClosed ? nil : state.queue.takeBatch()
            }
            guard let batch else { return }
            do {
                try database.inTransaction {
                    try Self.write(batch, to: database)
                    return .commit
                }
                let (promises, recovered) = state.withLockedValue { state in
                    state.queue.committed(batch)
                    defer { state.failureStreak = 0 }
                    return (Self.takeWaiters(through: batch.tickets.upperBound, from: &state), state.failureStreak > 0)
                }
                for promise in promises { promise.succeed() }
                if recovered { logger.notice("Session store writes succeed again", metadata: metadata) }
            } catch {
                let (promises, streak) = state.withLockedValue { state in
                    state.queue.failed(batch)
                    state.failureStreak += 1
                    return (Self.takeWaiters(through: batch.tickets.upperBound, from: &state), state.failureStreak)
                }
                let failure = writeFailure(reason: "\(error)")
                for promise in promises { promise.fail(failure) }
                if streak == 1 || streak.isMultiple(of: 100) {
                    var metadata = metadata(error)
                    metadata["store.failed_commits"] = "\(streak)"
                    logger.error("Session store commit failed; retrying", metadata: metadata)
                }
                let delay = min(0.05 * Double(1 << min(streak - 1, 7)), 5)
                DispatchQueue.global().asyncAfter(deadline: .now() + delay) { [self] in scheduleFlush() }
                return
            }
        }
    }

    /// The rare case of a whole block of incarnations used before the next was written: reserves one now, blocking
    /// the caller for one commit.
    private func reserveIncarnationsNow(through: UInt64) {
        do {
            try database.write { database in
                try Self.writeMeta([WriteBehindQueue.incarnationKey: Int64(through)], to: database)
            }
        } catch {
            logger.critical("Session store could not reserve incarnations", metadata: metadata(error))
        }
    }
}
