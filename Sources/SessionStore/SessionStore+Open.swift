import Foundation
import GRDB
import Logging
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

extension SessionStore {
    /// Opens (or creates) the store and reads what it holds, off the caller's thread.
    ///
    /// Never fails for the file's sake: a corrupt file is moved aside and a new store created; a directory or file
    /// that cannot be used gives a store in memory. Either is in ``problems`` and logged with the file and reason.
    /// Throws only when not even an in-memory SQLite database can be made.
    public static func open(configuration: SessionStoreConfiguration, logger: Logger) async throws -> SessionStore {
        try await NIOThreadPool.singleton.runIfActive {
            try openBlocking(configuration: configuration, logger: logger)
        }
    }

    /// ``open(configuration:logger:)`` on the calling thread.
    static func openBlocking(configuration: SessionStoreConfiguration, logger: Logger) throws -> SessionStore {
        guard case .directory(let directory) = configuration.location, let path = configuration.filePath else {
            return try inMemory(configuration, problems: [], logger: logger)
        }
        var problems: [SessionStoreProblem] = []
        func report(_ problem: SessionStoreProblem) {
            problems.append(problem)
            var metadata: Logger.Metadata = [
                "store.file": "\(problem.file)", "error.description": "\(problem.reason)",
            ]
            switch problem.action {
            case .movedAside(let aside):
                metadata["store.moved_to"] = "\(aside)"
                logger.error("Session store unusable; moved aside, starting with an empty store", metadata: metadata)
            case .runningInMemory:
                logger.error("Session store unusable; sessions will not survive a restart", metadata: metadata)
            case .skippedRecords(let count):
                metadata["store.skipped_records"] = "\(count)"
                logger.warning("Session store records left out of the restore", metadata: metadata)
            }
        }
        if let problem = makeDirectory(directory) {
            report(SessionStoreProblem(file: directory, reason: problem, action: .runningInMemory))
            return try inMemory(configuration, problems: problems, logger: logger)
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            let reason = "a directory is in the place of the store file"
            switch moveAside(path) {
            case .success(let aside):
                report(SessionStoreProblem(file: path, reason: reason, action: .movedAside(to: aside)))
            case .failure(let problem):
                report(SessionStoreProblem(file: path, reason: "\(reason), and \(problem)", action: .runningInMemory))
                return try inMemory(configuration, problems: problems, logger: logger)
            }
        }
        var attempt = 0
        while true {
            attempt += 1
            do {
                let (database, contents, skipped) = try attach(path: path, configuration: configuration)
                if skipped > 0 {
                    report(
                        SessionStoreProblem(
                            file: path,
                            reason: "rows with wrong types or over the caps",
                            action: .skippedRecords(count: skipped)
                        )
                    )
                }
                logger.info(
                    "Session store opened",
                    metadata: [
                        "store.file": "\(path)", "store.sessions": "\(contents.sessions.count)",
                        "store.outage_messages": "\(contents.outage.count)",
                        "store.synchronous": "\(configuration.synchronous.rawValue)",
                    ]
                )
                return SessionStore(
                    configuration: configuration,
                    database: database,
                    filePath: path,
                    problems: problems,
                    contents: contents,
                    logger: logger
                )
            } catch {
                let failure = SessionStoreOpenFailure(error)
                guard failure.isCorruption, attempt == 1 else {
                    report(SessionStoreProblem(file: path, reason: failure.reason, action: .runningInMemory))
                    return try inMemory(configuration, problems: problems, logger: logger)
                }
                switch moveAside(path) {
                case .success(let aside):
                    report(SessionStoreProblem(file: path, reason: failure.reason, action: .movedAside(to: aside)))
                case .failure(let problem):
                    report(
                        SessionStoreProblem(
                            file: path,
                            reason: "\(failure.reason), and \(problem)",
                            action: .runningInMemory
                        )
                    )
                    return try inMemory(configuration, problems: problems, logger: logger)
                }
            }
        }
    }

    /// Opens the file, checks it, brings its schema up to date and reads it all.
    private static func attach(
        path: String,
        configuration: SessionStoreConfiguration
    ) throws -> (DatabaseQueue, Contents, skipped: Int) {
        var settings = Configuration()
        settings.label = "snbridge.session-store"
        settings.busyMode = .timeout(5)
        let synchronous = configuration.synchronous.pragma
        settings.prepareDatabase { database in
            // WAL: a commit appends to the -wal file, so a process killed at any instant leaves every committed
            // transaction in it, replayed at the next open; see SessionStoreSynchronous for power cuts.
            let mode = try String.fetchOne(database, sql: "PRAGMA journal_mode = WAL")
            guard mode?.lowercased() == "wal" else {
                throw SessionStoreOpenFailure.unusable("cannot switch to WAL mode (journal mode \(mode ?? "unknown"))")
            }
            try database.execute(sql: "PRAGMA synchronous = \(synchronous)")
        }
        let database = try DatabaseQueue(path: path, configuration: settings)
        do {
            let migrator = Self.migrator
            let check = try database.read { database in
                try String.fetchAll(database, sql: "PRAGMA quick_check")
            }
            guard check == ["ok"] else {
                throw SessionStoreOpenFailure.corrupt("integrity check: " + check.prefix(3).joined(separator: "; "))
            }
            if try database.read({ try migrator.hasBeenSuperseded($0) }) {
                throw SessionStoreOpenFailure.unusable(
                    "written by a newer snbridge (its schema has migrations this one does not know)"
                )
            }
            try migrator.migrate(database)
            let (contents, skipped) = try database.write { database in try load(database) }
            return (database, contents, skipped)
        } catch {
            try? database.close()
            throw error
        }
    }

    /// Reads sessions and the outage accounting, deletes unusable rows, and reserves a block of incarnations.
    private static func load(_ database: Database) throws -> (Contents, skipped: Int) {
        var sessions: [SessionRecord] = []
        var badRows: [Int64] = []
        let rows = try Row.fetchCursor(database, sql: "SELECT \(sessionColumns), rowid FROM session")
        while let row = try rows.next() {
            if let record = sessionRecord(from: row) {
                sessions.append(record)
            } else {
                badRows.append(row[7])
            }
        }
        for rowid in badRows {
            try database.execute(sql: "DELETE FROM session WHERE rowid = ?", arguments: [rowid])
        }
        var outage: [(clientID: String, sequence: UInt64, size: Int)] = []
        var badMessages: [Int64] = []
        let messages = try Row.fetchCursor(
            database,
            sql: "SELECT sequence, client_id, size FROM outage_message ORDER BY sequence"
        )
        while let row = try messages.next() {
            let sequence: Int64 = row[0]
            guard case .string(let clientID) = (row[1] as DatabaseValue).storage,
                SessionStoreError.clientIDProblem(clientID) == nil,
                case .int64(let size) = (row[2] as DatabaseValue).storage,
                (1...Int64(OutageMessage.maximumTopicBytes + OutageMessage.maximumPayloadBytes)).contains(size),
                sequence > 0
            else {
                badMessages.append(sequence)
                continue
            }
            outage.append((clientID, UInt64(sequence), Int(size)))
        }
        for sequence in badMessages {
            try database.execute(sql: "DELETE FROM outage_message WHERE sequence = ?", arguments: [sequence])
        }
        let reserved = max(0, try readMeta(WriteBehindQueue.incarnationKey, from: database) ?? 0)
        let first = max(UInt64(reserved) + 1, wallClockMicroseconds())
        let through = first + WriteBehindQueue.incarnationBlock
        try writeMeta([WriteBehindQueue.incarnationKey: Int64(through)], to: database)
        let contents = Contents(
            sessions: sessions,
            outage: outage,
            firstIncarnation: first,
            incarnationsReservedThrough: through
        )
        return (contents, badRows.count + badMessages.count)
    }

    /// A store in memory: the same tables, nothing survives the process.
    private static func inMemory(
        _ configuration: SessionStoreConfiguration,
        problems: [SessionStoreProblem],
        logger: Logger
    ) throws -> SessionStore {
        var settings = Configuration()
        settings.label = "snbridge.session-store"
        let database = try DatabaseQueue(configuration: settings)
        try migrator.migrate(database)
        if problems.isEmpty {
            logger.info("Session store in memory (state.directory: none); sessions will not survive a restart")
        }
        return SessionStore(
            configuration: configuration,
            database: database,
            filePath: nil,
            problems: problems,
            contents: Contents(
                firstIncarnation: wallClockMicroseconds(),
                incarnationsReservedThrough: UInt64(Int64.max)
            ),
            logger: logger
        )
    }

    static func wallClockMicroseconds() -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970 * 1_000_000))
    }

    /// `mkdir -p`; the problem in words, or `nil` when the directory exists now.
    static func makeDirectory(_ path: String) -> String? {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o750) != 0, errno != EEXIST {
                return "cannot create the state directory \(prefix): \(String(cString: strerror(errno)))"
            }
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return "the state directory \(path) is not a directory"
        }
        return nil
    }

    /// Renames the store file (and its `-wal`, `-shm`) to `<file>.corrupt-<UTC timestamp>`; the new path, or why not.
    static func moveAside(_ path: String) -> Result<String, MoveAsideFailure> {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        var aside = "\(path).corrupt-\(formatter.string(from: Date()))"
        var counter = 1
        let base = aside
        while FileManager.default.fileExists(atPath: aside) {
            counter += 1
            aside = "\(base)-\(counter)"
        }
        guard rename(path, aside) == 0 else {
            return .failure(MoveAsideFailure(description: "cannot move it aside: \(String(cString: strerror(errno)))"))
        }
        for suffix in ["-wal", "-shm", "-journal"] where FileManager.default.fileExists(atPath: path + suffix) {
            if rename(path + suffix, aside + suffix) != 0 {
                // A stale -wal left beside a new store would be replayed into it: remove it rather than keep it.
                unlink(path + suffix)
            }
        }
        return .success(aside)
    }

    struct MoveAsideFailure: Error, CustomStringConvertible {
        var description: String
    }
}
