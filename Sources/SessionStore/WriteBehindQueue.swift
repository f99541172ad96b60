import Foundation
import NIOCore

/// The store's in-memory side: writes accepted but not yet committed (one per client id: a newer write of a session
/// replaces the queued one), who waits for which ticket, the outage buffer's accounting and the incarnation
/// reservation.
///
/// A value the store keeps under its one lock; its methods never block or do I/O, they say what the store must do.
/// One batch is committed at a time, and every ticket up to the batch's last is resolved together:
///
/// ```
///   save/remove/append ──► pending ──takeBatch()──► committing ──committed()──► durable (waiters succeed)
///                             ▲                         │
///                             └──── sessions re-queued ◄┴─failed()──► waiters fail, appends dropped
/// ```
struct WriteBehindQueue {
    enum SessionWrite: Hashable {
        case save(SessionRecord)
        case remove
    }

    enum OutageWrite: Hashable {
        case append(OutageMessage)
        /// Every message of the client up to and including `sequence`.
        case removeThrough(clientID: String, sequence: UInt64)
        case removeAll(clientID: String)
    }

    /// What one transaction writes.
    struct Batch {
        var sessions: [String: SessionWrite]
        var outage: [OutageWrite]
        var meta: [String: Int64]
        /// The tickets this batch resolves.
        var tickets: ClosedRange<UInt64>
    }

    /// What ``whenDurable(_:)`` found.
    enum Durability {
        case durable
        case failed
        case pending
    }

    /// One client's buffered messages, oldest first: sequence and size, for the caps.
    struct ClientOutage {
        var usage = OutageBufferUsage()
        var entries = CircularBuffer<(sequence: UInt64, size: Int)>()
    }

    static let incarnationKey = "incarnation_reserved"

    private(set) var statistics = SessionStoreStatistics()
    private var sessions: [String: SessionWrite] = [:]
    private var outage: [OutageWrite] = []
    private var meta: [String: Int64] = [:]
    private(set) var lastTicket: UInt64 = 0
    /// Every ticket up to here is committed or failed.
    private var resolvedThrough: UInt64 = 0
    /// Ticket ranges whose commit failed, newest last; only the latest ``failureMemory`` are kept, and an older
    /// ticket than the oldest kept counts as failed when in doubt.
    private var failedRanges: [ClosedRange<UInt64>] = []
    private var forgottenFailuresThrough: UInt64 = 0
    private static let failureMemory = 256
    /// A batch is scheduled, being committed, or waiting to be retried.
    private var flushing = false
    private(set) var isClosed = false

    private(set) var outageByClient: [String: ClientOutage] = [:]
    private(set) var outageTotal = OutageBufferUsage()
    private var nextOutageSequence: UInt64 = 1
    let perClientLimits: OutageBufferLimits
    let totalLimits: OutageBufferLimits

    private var nextIncarnation: UInt64 = 1
    private var incarnationsReservedThrough: UInt64 = 0
    private var incarnationReservationPending = false
    /// Incarnations are reserved on disk this many at a time, the next block once half of one is used.
    static let incarnationBlock: UInt64 = 1 << 20

    init(perClientLimits: OutageBufferLimits, totalLimits: OutageBufferLimits) {
        self.perClientLimits = perClientLimits
        self.totalLimits = totalLimits
    }

    // MARK: - Restored state

    /// The outage buffer as found on disk, oldest first.
    mutating func restoreOutage(_ entries: [(clientID: String, sequence: UInt64, size: Int)]) {
        for entry in entries {
            outageByClient[entry.clientID, default: ClientOutage()].usage.add(entry.size)
            outageByClient[entry.clientID]!.entries.append((entry.sequence, entry.size))
            outageTotal.add(entry.size)
            nextOutageSequence = max(nextOutageSequence, entry.sequence + 1)
        }
    }

    /// Incarnations from `first` on are free, and everything through `reservedThrough` is reserved on disk.
    mutating func restoreIncarnations(first: UInt64, reservedThrough: UInt64) {
        nextIncarnation = first
        incarnationsReservedThrough = reservedThrough
    }

    // MARK: - Writes

    /// Whether the caller must schedule a flush.
    typealias Accepted = (ticket: SessionStoreTicket, scheduleFlush: Bool)

    mutating func save(_ record: SessionRecord) throws(SessionStoreError) -> Accepted {
        try enqueue(session: record.clientID, .save(record))
    }

    mutating func removeSession(clientID: String) throws(SessionStoreError) -> Accepted {
        try enqueue(session: clientID, .remove)
    }

    private mutating func enqueue(session clientID: String, _ write: SessionWrite) throws(SessionStoreError) -> Accepted
    {
        guard !isClosed else { throw .closed }
        if sessions.updateValue(write, forKey: clientID) != nil {
            statistics.coalescedSessionWrites += 1
        }
        return accepted()
    }

    /// Accounts for `message` and queues it; refused when it would break a cap.
    mutating func appendOutage(
        _ message: OutageMessage,
        now: Date
    ) throws(SessionStoreError) -> (sequence: UInt64, accepted: Accepted) {
        guard !isClosed else { throw .closed }
        let size = message.size
        let client = outageByClient[message.clientID] ?? ClientOutage()
        guard perClientLimits.admits(client.usage, adding: size) else {
            statistics.outageMessagesRefused += 1
            throw .outageBufferFull(clientID: message.clientID, scope: "per-client", limits: perClientLimits)
        }
        guard totalLimits.admits(outageTotal, adding: size) else {
            statistics.outageMessagesRefused += 1
            throw .outageBufferFull(clientID: message.clientID, scope: "total", limits: totalLimits)
        }
        var message = message
        message.sequence = nextOutageSequence
        message.enqueuedAt = now
        nextOutageSequence += 1
        outageByClient[message.clientID, default: client].usage.add(size)
        outageByClient[message.clientID]!.entries.append((message.sequence, size))
        outageTotal.add(size)
        outage.append(.append(message))
        return (message.sequence, accepted())
    }

    mutating func removeOutage(clientID: String, through sequence: UInt64) throws(SessionStoreError) -> Accepted {
        guard !isClosed else { throw .closed }
        if var client = outageByClient[clientID] {
            while let first = client.entries.first, first.sequence <= sequence {
                client.entries.removeFirst()
                client.usage.subtract(first.size)
                outageTotal.subtract(first.size)
            }
            outageByClient[clientID] = client.entries.isEmpty ? nil : client
        }
        outage.append(.removeThrough(clientID: clientID, sequence: sequence))
        return accepted()
    }

    mutating func discardOutage(clientID: String) throws(SessionStoreError) -> Accepted {
        guard !isClosed else { throw .closed }
        if let client = outageByClient.removeValue(forKey: clientID) {
            outageTotal.bytes -= client.usage.bytes
            outageTotal.messages -= client.usage.messages
        }
        outage.append(.removeAll(clientID: clientID))
        return accepted()
    }

    private mutating func accepted() -> Accepted {
        lastTicket += 1
        let schedule = !flushing
        flushing = true
        return (SessionStoreTicket(rawValue: lastTicket), schedule)
    }

    /// The next incarnation, and whether the store must reserve the next block on disk (`.reserve`) or, the rare
    /// case of a whole block used before the next one was written, synchronously (`.reserveNow`).
    enum IncarnationDemand: Equatable {
        case none
        case schedule(SessionStoreTicket)
        case reserveNow(through: UInt64)
    }

    mutating func allocateIncarnation() -> (incarnation: UInt64, demand: IncarnationDemand) {
        let incarnation = nextIncarnation
        nextIncarnation += 1
        if incarnation > incarnationsReservedThrough {
            incarnationsReservedThrough = incarnation + Self.incarnationBlock
            return (incarnation, .reserveNow(through: incarnationsReservedThrough))
        }
        if !incarnationReservationPending, !isClosed,
            incarnationsReservedThrough - incarnation < Self.incarnationBlock / 2
        {
            incarnationReservationPending = true
            meta[Self.incarnationKey] = Int64(incarnationsReservedThrough + Self.incarnationBlock)
            let (ticket, schedule) = accepted()
            return (incarnation, schedule ? .schedule(ticket) : .none)
        }
        return (incarnation, .none)
    }

    // MARK: - Durability

    func durability(of ticket: SessionStoreTicket) -> Durability {
        let value = ticket.rawValue
        // Ticket 0 stands for "nothing written yet" (a flush of an idle store).
        guard value > 0 else { return .durable }
        guard value <= resolvedThrough else { return .pending }
        if value <= forgottenFailuresThrough { return .failed }
        return failedRanges.contains { $0.contains(value) } ? .failed : .durable
    }

    /// The everything-so-far ticket, for a flush.
    var latestTicket: SessionStoreTicket { SessionStoreTicket(rawValue: lastTicket) }

    // MARK: - Batches

    /// Takes everything pending as one batch; `nil` (and no flush in progress any more) when nothing is.
    mutating func takeBatch() -> Batch? {
        guard lastTicket > resolvedThrough else {
            flushing = false
            return nil
        }
        let batch = Batch(sessions: sessions, outage: outage, meta: meta, tickets: (resolvedThrough + 1)...lastTicket)
        sessions = [:]
        outage = []
        meta = [:]
        return batch
    }

    /// The batch is on disk.
    mutating func committed(_ batch: Batch) {
        resolvedThrough = batch.tickets.upperBound
        statistics.commits += 1
        statistics.sessionRowsWritten += batch.sessions.count
        for write in batch.outage {
            if case .append = write { statistics.outageMessagesWritten += 1 }
        }
        if let reserved = batch.meta[Self.incarnationKey] {
            incarnationsReservedThrough = max(incarnationsReservedThrough, UInt64(reserved))
            incarnationReservationPending = false
        }
    }

    /// The batch's commit failed: its tickets fail, its session writes go back in the queue unless a newer write of
    /// the same client is already there, its removals are queued again, and its appends are dropped (their senders
    /// are told, through the failed tickets, that the messages were not kept).
    mutating func failed(_ batch: Batch) {
        resolvedThrough = batch.tickets.upperBound
        statistics.failedCommits += 1
        failedRanges.append(batch.tickets)
        if failedRanges.count > Self.failureMemory {
            forgottenFailuresThrough = failedRanges.removeFirst().upperBound
        }
        var requeued = false
        for (clientID, write) in batch.sessions where sessions[clientID] == nil {
            sessions[clientID] = write
            requeued = true
        }
        var removals: [OutageWrite] = []
        for write in batch.outage {
            switch write {
            case .append(let message):
                statistics.outageMessagesFailed += 1
                forgetOutage(clientID: message.clientID, sequence: message.sequence)
            case .removeThrough, .removeAll:
                removals.append(write)
            }
        }
        if !removals.isEmpty {
            outage = removals + outage
            requeued = true
        }
        if let reserved = batch.meta[Self.incarnationKey], meta[Self.incarnationKey] == nil {
            meta[Self.incarnationKey] = reserved
            requeued = true
        }
        // The re-queued writes need tickets of their own, so a later commit resolves them.
        if requeued { lastTicket += 1 }
    }

    private mutating func forgetOutage(clientID: String, sequence: UInt64) {
        guard var client = outageByClient[clientID],
            let index = client.entries.firstIndex(where: { $0.sequence == sequence })
        else { return }
        let entry = client.entries.remove(at: index)
        client.usage.subtract(entry.size)
        outageTotal.subtract(entry.size)
        outageByClient[clientID] = client.entries.isEmpty ? nil : client
    }

    /// No more writes are accepted; what is queued is still committed by the final flush.
    mutating func close() {
        isClosed = true
    }
}
