import Foundation
import GRDB
import Testing

@testable import SessionStore

@Suite("Session store: a damaged or unusable store is reported and never stops the bridge")
struct SessionStoreDamageTests {
    /// Writes a store with `count` sessions of about 1 KiB, closed (so the WAL is checkpointed into the file).
    private func populate(_ directory: StoreTestDirectory, count: Int) async throws {
        let store = try await directory.open()
        for index in 0..<count {
            try store.save(
                SessionRecord(clientID: "s\(index)", formatVersion: 1, state: Data(count: 1_000), incarnation: 1)
            )
        }
        await store.close()
    }

    /// Expects the store to have moved the file aside and started empty and durable; returns the new path.
    private func expectMovedAside(_ store: SessionStore, _ directory: StoreTestDirectory) throws -> String {
        #expect(store.isDurable)
        let problem = try #require(store.problems.first)
        #expect(problem.file == directory.filePath)
        guard case .movedAside(let aside) = problem.action else {
            Issue.record("expected the file to be moved aside, got \(problem)")
            return ""
        }
        #expect(aside.hasPrefix(directory.filePath + ".corrupt-"))
        #expect(FileManager.default.fileExists(atPath: aside))
        #expect(store.takeRestoredSessions().isEmpty)
        return aside
    }

    /// The new store works: a write survives a reopen.
    private func expectUsable(_ store: SessionStore, _ directory: StoreTestDirectory) async throws {
        try await store.whenDurable(try store.save(SessionRecord.sample("after", value: "fresh")), on: testEventLoop)
            .get()
        await store.close()
        let reopened = try await directory.open()
        #expect(reopened.problems.isEmpty)
        #expect(reopened.takeRestoredSessions().map(\.clientID) == ["after"])
        await reopened.close()
    }

    @Test("Garbage bytes in place of the file: moved aside, byte for byte, and a new store created")
    func garbage() async throws {
        let directory = try StoreTestDirectory()
        var generator = SystemRandomNumberGenerator()
        let garbage = Data((0..<8_192).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try garbage.write(to: URL(fileURLWithPath: directory.filePath))
        let store = try await directory.open()
        let aside = try expectMovedAside(store, directory)
        #expect(FileManager.default.contents(atPath: aside) == garbage)
        #expect(store.problems.first?.reason.contains("not a database") == true)
        try await expectUsable(store, directory)
    }

    @Test("A truncated file is moved aside", arguments: [0.5, 0.9, 0.02])
    func truncated(fraction: Double) async throws {
        let directory = try StoreTestDirectory()
        try await populate(directory, count: 2_000)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: directory.filePath))
        let size = try handle.seekToEnd()
        try handle.truncate(atOffset: UInt64(Double(size) * fraction))
        try handle.close()
        let store = try await directory.open()
        _ = try expectMovedAside(store, directory)
        try await expectUsable(store, directory)
    }

    @Test("A directory in place of the file is moved aside with what it holds")
    func directoryInPlace() async throws {
        let directory = try StoreTestDirectory()
        try FileManager.default.createDirectory(atPath: directory.filePath, withIntermediateDirectories: false)
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: directory.filePath + "/note"))
        let store = try await directory.open()
        let aside = try expectMovedAside(store, directory)
        #expect(store.problems.first?.reason.contains("directory") == true)
        #expect(FileManager.default.contents(atPath: aside + "/note") == Data("keep me".utf8))
        try await expectUsable(store, directory)
    }

    @Test("A state directory that cannot be created gives a store in memory, reported with the path and reason")
    func uncreatableDirectory() async throws {
        let directory = try StoreTestDirectory()
        // A regular file where a directory should be: fails for root too, unlike file modes.
        let blocker = directory.url.appendingPathComponent("blocker")
        try Data("file".utf8).write(to: blocker)
        let configuration = SessionStoreConfiguration(location: .directory(blocker.path + "/state"))
        let store = try await SessionStore.open(configuration: configuration, logger: .storeTests)
        #expect(!store.isDurable)
        let problem = try #require(store.problems.first)
        #expect(problem.action == .runningInMemory)
        #expect(problem.file == blocker.path + "/state")
        #expect(problem.reason.contains("Not a directory"))
        // It still works, in memory.
        try await store.whenDurable(try store.save(SessionRecord.sample("m", value: "x")), on: testEventLoop).get()
        await store.close()
        #expect(FileManager.default.contents(atPath: blocker.path) == Data("file".utf8))
    }

    @Test(
        "An unwritable state directory gives a store in memory and leaves the directory alone",
        .disabled(if: geteuid() == 0, "root writes through file modes; uncreatableDirectory covers root")
    )
    func unwritableDirectory() async throws {
        let directory = try StoreTestDirectory()
        let state = directory.url.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: false)
        chmod(state.path, 0o555)
        defer { chmod(state.path, 0o755) }
        let store = try await SessionStore.open(
            configuration: .init(location: .directory(state.path)),
            logger: .storeTests
        )
        #expect(!store.isDurable)
        #expect(store.problems.first?.action == .runningInMemory)
        #expect(store.problems.first?.file.hasPrefix(state.path) == true)
        await store.close()
        #expect(try FileManager.default.contentsOfDirectory(atPath: state.path).isEmpty)
    }

    @Test("A file from a newer snbridge is left as it is; the store runs in memory")
    func newerSchema() async throws {
        let directory = try StoreTestDirectory()
        try await populate(directory, count: 3)
        let queue = try DatabaseQueue(path: directory.filePath)
        try await queue.write {
            try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
        }
        try queue.close()
        let before = FileManager.default.contents(atPath: directory.filePath)
        let store = try await directory.open()
        #expect(!store.isDurable)
        #expect(store.problems.first?.action == .runningInMemory)
        #expect(store.problems.first?.reason.contains("newer snbridge") == true)
        await store.close()
        #expect(FileManager.default.contents(atPath: directory.filePath) == before)
    }

    @Test("Rows with wrong types or over the caps are left out and reported; the rest is restored")
    func hostileRows() async throws {
        let directory = try StoreTestDirectory()
        try await populate(directory, count: 3)
        let queue = try DatabaseQueue(path: directory.filePath)
        try await queue.write { database in
            try database.execute(sql: "INSERT INTO session VALUES (x'0102', 1, x'00', NULL, NULL, 1, 0)")  // id a blob
            try database.execute(sql: "INSERT INTO session VALUES ('text-state', 1, 'not a blob', NULL, NULL, 1, 0)")
            try database.execute(sql: "INSERT INTO session VALUES ('neg', 1, x'00', NULL, NULL, -5, 0)")
            try database.execute(sql: "INSERT INTO session VALUES ('', 1, x'00', NULL, NULL, 1, 0)")
            // An address stored as a blob.
            try database.execute(sql: "INSERT INTO session VALUES ('addr', 1, x'00', x'2a', NULL, 1, 0)")
            try database.execute(sql: "INSERT INTO outage_message VALUES (100, 's0', 't', x'00', 1, 0, -1, 0)")
            try database.execute(sql: "INSERT INTO outage_message VALUES (101, 's0', 't', x'00', 1, 0, 2, 0)")
        }
        try queue.close()
        let store = try await directory.open()
        #expect(store.isDurable)
        #expect(store.problems.map(\.action) == [.skippedRecords(count: 6)])
        #expect(store.takeRestoredSessions().map(\.clientID).sorted() == ["s0", "s1", "s2"])
        #expect(store.outageUsage(clientID: "s0") == OutageBufferUsage(messages: 1, bytes: 2))
        await store.close()
        let reopened = try await directory.open()
        #expect(reopened.problems.isEmpty, "the unusable rows were deleted")
        await reopened.close()
    }
}
