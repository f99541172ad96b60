import Foundation
import GRDB

extension SessionStore {
    /// The store's tables. A later version adds a migration; a file written by a newer snbridge (one with migrations
    /// this one does not know) is left alone and the store runs in memory.
    ///
    /// ```
    /// session         client_id TEXT PK | format_version INT | state BLOB | last_address TEXT? | deadline REAL? |
    ///                 incarnation INT | updated_at REAL
    /// outage_message  sequence INT PK | client_id TEXT | topic TEXT | payload BLOB | qos INT | retain INT |
    ///                 size INT | enqueued_at REAL          (index: client_id, sequence)
    /// store_meta      key TEXT PK | value INT              (incarnation_reserved)
    /// ```
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { database in
            try database.execute(
                sql: """
                    CREATE TABLE session (
                        client_id TEXT PRIMARY KEY NOT NULL,
                        format_version INTEGER NOT NULL,
                        state BLOB NOT NULL,
                        last_address TEXT,
                        deadline REAL,
                        incarnation INTEGER NOT NULL,
                        updated_at REAL NOT NULL
                    );
                    CREATE TABLE outage_message (
                        sequence INTEGER PRIMARY KEY NOT NULL,
                        client_id TEXT NOT NULL,
                        topic TEXT NOT NULL,
                        payload BLOB NOT NULL,
                        qos INTEGER NOT NULL,
                        retain INTEGER NOT NULL,
                        size INTEGER NOT NULL,
                        enqueued_at REAL NOT NULL
                    );
                    CREATE INDEX outage_message_by_client ON outage_message (client_id, sequence);
                    CREATE TABLE store_meta (
                        key TEXT PRIMARY KEY NOT NULL,
                        value INTEGER NOT NULL
                    );
                    """
            )
        }
        return migrator
    }

    /// Writes one batch; inside the caller's transaction.
    static func write(_ batch: WriteBehindQueue.Batch, to database: Database) throws {
        if !batch.sessions.isEmpty {
            let upsert = try database.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO session
                        (client_id, format_version, state, last_address, deadline, incarnation, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """
            )
            let delete = try database.cachedStatement(sql: "DELETE FROM session WHERE client_id = ?")
            for (clientID, write) in batch.sessions {
                switch write {
                case .save(let record):
                    try upsert.execute(arguments: [
                        record.clientID, record.formatVersion, record.state, record.lastAddress,
                        record.deadline?.timeIntervalSince1970, Int64(record.incarnation),
                        record.updatedAt.timeIntervalSince1970,
                    ])
                case .remove:
                    try delete.execute(arguments: [clientID])
                }
            }
        }
        for write in batch.outage {
            switch write {
            case .append(let message):
                try database.cachedStatement(
                    sql: """
                        INSERT INTO outage_message
                            (sequence, client_id, topic, payload, qos, retain, size, enqueued_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """
                ).execute(arguments: [
                    Int64(message.sequence), message.clientID, message.topic, message.payload, Int(message.qos),
                    message.retain, message.size, message.enqueuedAt.timeIntervalSince1970,
                ])
            case .removeThrough(let clientID, let sequence):
                try database.cachedStatement(sql: "DELETE FROM outage_message WHERE client_id = ? AND sequence <= ?")
                    .execute(arguments: [clientID, Int64(sequence)])
            case .removeAll(let clientID):
                try database.cachedStatement(sql: "DELETE FROM outage_message WHERE client_id = ?")
                    .execute(arguments: [clientID])
            }
        }
        try writeMeta(batch.meta, to: database)
    }

    static func writeMeta(_ meta: [String: Int64], to database: Database) throws {
        for (key, value) in meta {
            try database.cachedStatement(sql: "INSERT OR REPLACE INTO store_meta (key, value) VALUES (?, ?)")
                .execute(arguments: [key, value])
        }
    }

    static func readMeta(_ key: String, from database: Database) throws -> Int64? {
        try Int64.fetchOne(database, sql: "SELECT value FROM store_meta WHERE key = ?", arguments: [key])
    }
}
