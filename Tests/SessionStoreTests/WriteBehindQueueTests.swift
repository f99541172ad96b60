import Foundation
import Testing

@testable import SessionStore

@Suite("WriteBehindQueue: the store's in-memory side as a value")
struct WriteBehindQueueTests {
    private func queue(perClient: Int = 10, total: Int = 100) -> WriteBehindQueue {
        WriteBehindQueue(
            perClientLimits: OutageBufferLimits(messages: perClient, bytes: 1 << 20),
            totalLimits: OutageBufferLimits(messages: total, bytes: 1 << 20)
        )
    }

    private func record(_ clientID: String, _ value: UInt8) -> SessionRecord {
        SessionRecord(clientID: clientID, formatVersion: 1, state: Data([value]), incarnation: 1)
    }

    private func message(_ clientID: String) -> OutageMessage {
        OutageMessage(clientID: clientID, topic: "t", payload: Data([1, 2]), qos: 1)
    }

    @Test("Only the first write of an idle queue asks for a flush; a drained queue asks again")
    func flushDemand() throws {
        var queue = queue()
        let first = try queue.save(record("a", 1))
        let second = try queue.save(record("b", 1))
        let third = try queue.appendOutage(message("a"), now: Date())
        #expect(first.scheduleFlush)
        #expect(!second.scheduleFlush)
        #expect(!third.accepted.scheduleFlush)
        let batchTaken = queue.takeBatch()
        let batch = try #require(batchTaken)
        #expect(batch.tickets == 1...3)
        queue.committed(batch)
        let empty = queue.takeBatch()
        #expect(empty == nil)
        let again = try queue.save(record("a", 2))
        #expect(again.scheduleFlush)
    }

    @Test("Saves and removals of one client coalesce to the last")
    func coalescing() throws {
        var queue = queue()
        _ = try queue.save(record("a", 1))
        _ = try queue.save(record("a", 2))
        _ = try queue.removeSession(clientID: "a")
        _ = try queue.save(record("a", 3))
        let batchTaken = queue.takeBatch()
        let batch = try #require(batchTaken)
        #expect(batch.sessions == ["a": .save(record("a", 3))])
        #expect(queue.statistics.coalescedSessionWrites == 3)
    }

    @Test("Durability per ticket: pending until its batch resolves, then durable or failed")
    func durability() throws {
        var queue = queue()
        let first = try queue.save(record("a", 1)).ticket
        #expect(queue.durability(of: first) == .pending)
        let batchTaken = queue.takeBatch()
        let batch = try #require(batchTaken)
        let second = try queue.save(record("b", 1)).ticket
        queue.committed(batch)
        #expect(queue.durability(of: first) == .durable)
        #expect(queue.durability(of: second) == .pending)
        let failingTaken = queue.takeBatch()
        let failing = try #require(failingTaken)
        queue.failed(failing)
        #expect(queue.durability(of: second) == .failed)
        #expect(queue.durability(of: first) == .durable)
    }

    @Test("A failed batch re-queues its sessions unless a newer write came, re-queues removals, drops appends")
    func failedBatch() throws {
        var queue = queue()
        _ = try queue.save(record("a", 1))
        _ = try queue.save(record("b", 1))
        _ = try queue.appendOutage(message("c"), now: Date())
        _ = try queue.appendOutage(message("d"), now: Date())
        _ = try queue.removeOutage(clientID: "d", through: 100)
        let batchTaken = queue.takeBatch()
        let batch = try #require(batchTaken)
        _ = try queue.save(record("b", 2))
        queue.failed(batch)
        #expect(queue.outageByClient["c"] == nil, "the failed append's room is free again")
        #expect(queue.outageTotal == .zero)
        #expect(queue.statistics.outageMessagesFailed == 2)
        let retryTaken = queue.takeBatch()
        let retry = try #require(retryTaken)
        #expect(retry.sessions == ["a": .save(record("a", 1)), "b": .save(record("b", 2))])
        #expect(retry.outage == [.removeThrough(clientID: "d", sequence: 100)])
        queue.committed(retry)
        let empty = queue.takeBatch()
        #expect(empty == nil)
    }

    @Test("Outage caps refuse at the limit, per client before total, and removals free room in order")
    func outageAccounting() throws {
        var queue = queue(perClient: 2, total: 3)
        let a1 = try queue.appendOutage(message("a"), now: Date()).sequence
        let a2 = try queue.appendOutage(message("a"), now: Date()).sequence
        #expect(a2 == a1 + 1)
        #expect(throws: SessionStoreError.self) { _ = try queue.appendOutage(message("a"), now: Date()) }
        _ = try queue.appendOutage(message("b"), now: Date())
        #expect(throws: SessionStoreError.self) { _ = try queue.appendOutage(message("c"), now: Date()) }
        _ = try queue.removeOutage(clientID: "a", through: a1)
        #expect(queue.outageByClient["a"]?.usage == OutageBufferUsage(messages: 1, bytes: 3))
        _ = try queue.appendOutage(message("c"), now: Date())
        #expect(queue.statistics.outageMessagesRefused == 2)
        _ = try queue.discardOutage(clientID: "a")
        #expect(queue.outageTotal == OutageBufferUsage(messages: 2, bytes: 6))
    }

    @Test("Incarnations: consecutive, the next block queued once half of one is used")
    func incarnations() throws {
        var queue = queue()
        queue.restoreIncarnations(first: 1_000, reservedThrough: 1_000 + WriteBehindQueue.incarnationBlock)
        let plain = queue.allocateIncarnation()
        #expect(plain.incarnation == 1_000 && plain.demand == .none)
        queue.restoreIncarnations(first: 1_000, reservedThrough: 1_000 + WriteBehindQueue.incarnationBlock / 2 - 1)
        let (value, demand) = queue.allocateIncarnation()
        #expect(value == 1_000)
        guard case .schedule = demand else {
            Issue.record("expected a reservation to be scheduled, got \(demand)")
            return
        }
        let next = queue.allocateIncarnation()
        #expect(next.demand == .none, "one reservation at a time")
        let batchTaken = queue.takeBatch()
        let batch = try #require(batchTaken)
        #expect(
            batch.meta[WriteBehindQueue.incarnationKey] == Int64(1_000 + WriteBehindQueue.incarnationBlock * 3 / 2 - 1)
        )
        queue.restoreIncarnations(first: 5, reservedThrough: 4)
        let exhausted = queue.allocateIncarnation()
        #expect(exhausted.demand == .reserveNow(through: 5 + WriteBehindQueue.incarnationBlock))
    }

    @Test("A closed queue refuses writes")
    func closed() throws {
        var queue = queue()
        queue.close()
        #expect(throws: SessionStoreError.closed) { _ = try queue.save(record("a", 1)) }
        #expect(throws: SessionStoreError.closed) { _ = try queue.appendOutage(message("a"), now: Date()) }
    }
}
