import Foundation
import GRDB
import NIOCore

extension SessionStore {
    public func appendOutage(
        _ message: OutageMessage
    ) throws(SessionStoreError) -> (sequence: UInt64, ticket: SessionStoreTicket) {
        if let problem = message.problem { throw problem }
        let now = Date()
        let result = try withQueue { queue throws(SessionStoreError) in try queue.appendOutage(message, now: now)
        }
        return (result.sequence, scheduled(result.accepted))
    }

    @discardableResult
    public func removeOutage(clientID: String, through sequence: UInt64) throws(SessionStoreError) -> SessionStoreTicket
    {
        let accepted = try withQueue { queue throws(SessionStoreError) in
            try queue.removeOutage(clientID: clientID, through: sequence)
        }
        return scheduled(accepted)
    }

    @discardableResult
    public func discardOutage(clientID: String) throws(SessionStoreError) -> SessionStoreTicket {
        let accepted = try withQueue { queue throws(SessionStoreError) in try queue.discardOutage(clientID: clientID)
        }
        return scheduled(accepted)
    }

    public func outageUsage(clientID: String) -> OutageBufferUsage {
        state.withLockedValue { $0.queue.outageByClient[clientID]?.usage ?? .zero }
    }

    public func outageUsageByClient() -> [String: OutageBufferUsage] {
        state.withLockedValue { $0.queue.outageByClient.mapValues(\.usage) }
    }

    /// The whole outage buffer's usage.
    public var outageUsageTotal: OutageBufferUsage {
        state.withLockedValue { $0.queue.outageTotal }
    }

    public func outageMessages(
        clientID: String,
        after sequence: UInt64 = 0,
        limit: Int = 100,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<[OutageMessage]> {
        let promise = eventLoop.makePromise(of: [OutageMessage].self)
        database.asyncWriteWithoutTransaction { database in
            // Whatever was queued before this read is committed first, so the caller reads its own appends.
            self.drain(database)
            do {
                let rows = try Row.fetchAll(
                    database,
                    sql: """
                        SELECT \(Self.outageColumns) FROM outage_message
                        WHERE client_id = ? AND sequence > ? ORDER BY sequence LIMIT ?
                        """,
                    arguments: [clientID, Int64(clamping: sequence), max(0, limit)]
                )
                promise.succeed(rows.compactMap(Self.outageMessage(from:)))
            } catch {
                promise.fail(self.writeFailure(reason: "reading the outage buffer failed: \(error)"))
            }
        }
        return promise.futureResult
    }
}
