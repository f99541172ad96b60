import Foundation
import GRDB
import NIOCore
import Testing

@testable import SessionStore

@Suite("Session store on a real SQLite file")
struct SessionStoreTests {
    @Test("A saved session comes back, field for field, after the store is closed and opened again")
    func roundTripAcrossReopen() async throws {
        let directory = try StoreTestDirectory()
        let store = try await directory.open()
        #expect(store.isDurable)
        #expect(store.problems.isEmpty)
        #expect(store.takeRestoredSessions().isEmpty)
        let record = SessionRecord.sample("sensor-1", value: "registrations: 1=plant/p1/temperature", incarnation: 42)
        let ticket = try store.save(record)
        try await store.whenDurable(ticket, on: testEventLoop).get()
        try store.save(SessionRecord.sample("sensor-2", value: "two"))
        await store.close()

        let reopened = try await directory.open()
        let restored = reopened.takeRestoredSessions().sorted { $0.clientID < $1.clientID }
        #expect(restored.map(\.clientID) == ["sensor-1", "sensor-2"])
        let first = try #require(restored.first)
        #expect(first.state == record.state)
        #expect(first.formatVersion == 3)
        #expect(first.lastAddress == "udp:192.0.2.7:50123")
        #expect(first.deadline == record.deadline)
        #expect(first.incarnation == 42)
        #expect(first.updatedAt.timeIntervalSinceNow > -60)
        #expect(reopened.takeRestoredSessions().isEmpty, "restored sessions are handed out once")
        await reopened.close()
    }

    @Test("Removing a session removes it from disk; a session without address or deadline keeps them nil")
    func removal() async throws {
        let directory = try StoreTestDirectory()
        let store = try await directory.open()
        try store.save(SessionRecord(clientID: "a", formatVersion: 1, state: Data([1]), incarnation: 1))
        try store.save(SessionRecord(clientID: "b", formatVersion: 1, state: Data([2]), incarnation: 1))
        try await store.flush()
        try store.removeSession(clientID: "b")
        await store.close()

        let reopened = try await directory.open()
        let restored = reopened.takeRestoredSessions()
        #expect(restored.map(\.clientID) == ["a"])
        #expect(restored.first?.lastAddress == nil)
        #expect(restored.first?.deadline == nil)
        await reopened.close()
    }

    @Test("Repeated saves of one session while a commit is busy are written as one row, the newest")
    func coalescedWrites() async throws {
        let directory = try StoreTestDirectory()
        let store = try await directory.open()
        // Hold the store's serial queue so that every save below waits in the write-behind queue.
        let held = DispatchSemaphore(value: 0)
        let holding = DispatchSemaphore(value: 0)
        store.database.asyncWriteWithoutTransaction { _ in
            holding.signal()
            held.wait()
        }
        holding.wait()
        var tickets: [SessionStoreTicket] = []
        for value in 0..<100 {
            tickets.append(try store.save(SessionRecord.sample("busy", value: "v\(value)")))
        }
        tickets.append(try store.save(SessionRecord.sample("other", value: "x")))
        let before = store.statistics
        #expect(before.coalescedSessionWrites == 99)
        #expect(before.commits == 0)
        let durable = store.whenDurable(tickets[0], on: testEventLoop)
        held.signal()
        try await durable.get()
        try await store.flush()
        let after = store.statistics
        #expect(after.commits == 1)
        #expect(after.sessionRowsWritten == 2)
        #expect(tickets == tickets.sorted(), "tickets grow with every write")
        await store.close()

        let reopened = try await directory.open()
        let restored = Dictionary(uniqueKeysWithValues: reopened.takeRestoredSessions().map { ($0.clientID, $0) })
        #expect(restored["busy"]?.state == Data("v99".utf8))
        #expect(restored["other"]?.state == Data("x".utf8))
        await reopened.close()
    }

    @Test("Incarnations grow within a run, across reopening, and after the file is deleted")
    func incarnationsNeverRepeat() async throws {
        let directory = try StoreTestDirectory()
        let store = try await directory.open()
        let first = (0..<1_000).map { _ in store.allocateIncarnation() }
        #expect(first == first.sorted() && Set(first).count == first.count)
        #expect(first[0] >= SessionStore.wallClockMicroseconds() - 60_000_000, "starts from the wall clock")
        await store.close()

        let reopened = try await directory.open()
        let second = reopened.allocateIncarnation()
        #expect(second > first.last!)
        await reopened.close()

        // Well past one reserved block within a run: the next block is reserved on disk behind the caller's back.
        let busy = try await directory.open()
        var last = busy.allocateIncarnation()
        var gaps = 0
        for _ in 0..<Int(WriteBehindQueue.incarnationBlock) {
            let next = busy.allocateIncarnation()
            if next != last + 1 { gaps += 1 }
            last = next
        }
        #expect(gaps == 0)
        try await busy.flush()
        await busy.close()
        let afterBlock = try await directory.open()
        #expect(afterBlock.allocateIncarnation() > last)
        await afterBlock.close()
    }

    @Test("Bad records are refused with a specific error, before they reach the queue")
    func hostileRecordsAreRefused() async throws {
        let directory = try StoreTestDirectory()
        let store = try await directory.open()
        #expect(throws: SessionStoreError.invalid(clientID: "", reason: "empty client id")) {
            try store.save(SessionRecord(clientID: "", formatVersion: 1, state: Data(), incarnation: 1))
        }
        let longID = String(repeating: "x", count: SessionRecord.maximumClientIDBytes + 1)
        #expect(throws: SessionStoreError.self) {
            try store.save(SessionRecord(clientID: longID, formatVersion: 1, state: Data(), incarnation: 1))
        }
        let huge = Data(count: SessionRecord.maximumStateBytes + 1)
        #expect(
            throws: SessionStoreError.tooLarge(
                clientID: "big",
                what: "session state",
                bytes: huge.count,
                limit: SessionRecord.maximumStateBytes
            )
        ) {
            try store.save(SessionRecord(clientID: "big", formatVersion: 1, state: huge, incarnation: 1))
        }
        #expect(throws: SessionStoreError.self) {
            try store.save(SessionRecord(clientID: "i", formatVersion: 1, state: Data(), incarnation: .max))
        }
        #expect(store.statistics == SessionStoreStatistics())
        await store.close()
    }

    @Test("A commit that fails (the disk is full) fails its waiters; the session is written once there is room")
    func failedCommitIsReportedAndRetried() async throws {
        let directory = try StoreTestDirectory()
        let store = try await directory.open()
        try await store.flush()
        // SQLite's own page cap is a real "database or disk is full" (SQLITE_FULL), without filling the test disk.
        let pages = try await store.database.write { try Int.fetchOne($0, sql: "PRAGMA page_count")! }
        try await store.database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = \(pages)") }
        let ticket = try store.save(
            SessionRecord(clientID: "big", formatVersion: 1, state: Data(count: 200_000), incarnation: 1)
        )
        await #expect(throws: SessionStoreError.self) {
            try await store.whenDurable(ticket, on: testEventLoop).get()
        }
        #expect(store.statistics.failedCommits >= 1)
        // A later waiter for the failed ticket is told too.
        await #expect(throws: SessionStoreError.self) {
            try await store.whenDurable(ticket, on: testEventLoop).get()
        }
        try await store.database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = 1073741823") }
        try await eventually { store.statistics.sessionRowsWritten == 1 }
        await store.close()
        let reopened = try await directory.open()
        #expect(reopened.takeRestoredSessions().map(\.state.count) == [200_000])
        await reopened.close()
    }

    @Test("state.directory: none keeps everything in memory and writes no file")
    func inMemory() async throws {
        let directory = try StoreTestDirectory()
        let configuration = SessionStoreConfiguration(location: .inMemory)
        let store = try await SessionStore.open(configuration: configuration, logger: .storeTests)
        #expect(!store.isDurable)
        #expect(store.filePath == nil)
        #expect(store.problems.isEmpty)
        let ticket = try store.save(SessionRecord.sample("m", value: "in memory"))
        try await store.whenDurable(ticket, on: testEventLoop).get()
        let (sequence, _) = try store.appendOutage(
            OutageMessage(clientID: "m", topic: "t", payload: Data("1".utf8), qos: 1)
        )
        let messages = try await store.outageMessages(clientID: "m", after: 0, limit: 10, on: testEventLoop).get()
        #expect(messages.map(\.sequence) == [sequence])
        #expect(store.allocateIncarnation() >= SessionStore.wallClockMicroseconds() - 60_000_000)
        await store.close()
        let again = try await SessionStore.open(configuration: configuration, logger: .storeTests)
        #expect(again.takeRestoredSessions().isEmpty)
        #expect(again.outageUsageByClient().isEmpty)
        await again.close()
        #expect(try directory.entries().isEmpty)
    }

    @Test("The file is in WAL mode with the configured synchronous setting")
    func pragmas() async throws {
        let directory = try StoreTestDirectory()
        for synchronous in SessionStoreSynchronous.allCases {
            let store = try await directory.open(directory.configuration(synchronous: synchronous))
            let (mode, level) = try await store.database.read { database in
                (
                    try String.fetchOne(database, sql: "PRAGMA journal_mode")!,
                    try Int.fetchOne(database, sql: "PRAGMA synchronous")!
                )
            }
            #expect(mode == "wal")
            #expect(level == (synchronous == .full ? 2 : 1))
            await store.close()
        }
    }

    @Test("Writes after close are refused; close commits what was queued")
    func closeFlushes() async throws {
        let directory = try StoreTestDirectory()
        let store = try await directory.open()
        for index in 0..<500 { try store.save(SessionRecord.sample("c\(index)", value: "\(index)")) }
        await store.close()
        #expect(throws: SessionStoreError.closed) { try store.save(SessionRecord.sample("late", value: "x")) }
        let reopened = try await directory.open()
        #expect(reopened.takeRestoredSessions().count == 500)
        await reopened.close()
    }
}

/// Waits until `condition` holds, polling; fails after `timeout`.
func eventually(
    timeout: Duration = .seconds(10),
    _ condition: @escaping @Sendable () throws -> Bool,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while try !condition() {
        guard clock.now < deadline else {
            Issue.record("condition not met within \(timeout)", sourceLocation: sourceLocation)
            return
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}
