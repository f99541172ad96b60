import Foundation
import NIOCore
import Testing

@testable import SessionStore

@Suite("Outage buffer: a durable FIFO per client")
struct OutageBufferTests {
    private func message(_ clientID: String, _ text: String, topic: String = "plant/p1/temperature") -> OutageMessage {
        OutageMessage(clientID: clientID, topic: topic, payload: Data(text.utf8), qos: 1)
    }

    @Test("Messages come back per client in the order they were accepted, also after a reopen")
    func fifoOrderAcrossReopen() async throws {
        let directory = try StoreTestDirectory()
        let store = try await directory.open()
        var last: SessionStoreTicket?
        for index in 0..<30 {
            let client = index.isMultiple(of: 3) ? "b" : "a"
            last = try store.appendOutage(message(client, "\(client)\(index)")).ticket
        }
        try await store.whenDurable(try #require(last), on: testEventLoop).get()
        let before = try await store.outageMessages(clientID: "a", after: 0, limit: 100, on: testEventLoop).get()
        await store.close()

        let reopened = try await directory.open()
        let a = try await reopened.outageMessages(clientID: "a", after: 0, limit: 100, on: testEventLoop).get()
        let b = try await reopened.outageMessages(clientID: "b", after: 0, limit: 100, on: testEventLoop).get()
        #expect(a == before)
        #expect(
            a.map { String(decoding: $0.payload, as: UTF8.self) }
                == (0..<30).filter { !$0.isMultiple(of: 3) }.map { "a\($0)" }
        )
        #expect(
            b.map { String(decoding: $0.payload, as: UTF8.self) }
                == (0..<30).filter { $0.isMultiple(of: 3) }.map { "b\($0)" }
        )
        #expect(a.map(\.sequence) == a.map(\.sequence).sorted())
        #expect(a.allSatisfy { $0.topic == "plant/p1/temperature" && $0.qos == 1 && !$0.retain })
        #expect(
            reopened.outageUsage(clientID: "a") == OutageBufferUsage(messages: 20, bytes: a.map(\.size).reduce(0, +))
        )
        // New messages go after the restored ones.
        let (next, _) = try reopened.appendOutage(message("a", "later"))
        #expect(next > a.last!.sequence)
        await reopened.close()
    }

    @Test("Reading in pages with after: and limit: walks the buffer once")
    func paging() async throws {
        let directory = try StoreTestDirectory()
        let store = try await directory.open()
        for index in 0..<25 { _ = try store.appendOutage(message("p", "\(index)")) }
        var seen: [String] = []
        var after: UInt64 = 0
        while true {
            let page = try await store.outageMessages(clientID: "p", after: after, limit: 10, on: testEventLoop).get()
            guard let lastMessage = page.last else { break }
            #expect(page.count <= 10)
            seen += page.map { String(decoding: $0.payload, as: UTF8.self) }
            after = lastMessage.sequence
        }
        #expect(seen == (0..<25).map(String.init))
        await store.close()
    }

    @Test("Removing through a sequence drops exactly the forwarded messages and frees their room")
    func removeThrough() async throws {
        let directory = try StoreTestDirectory()
        let store = try await directory.open()
        var sequences: [UInt64] = []
        for index in 0..<10 { sequences.append(try store.appendOutage(message("r", "\(index)")).sequence) }
        _ = try store.appendOutage(message("other", "keep"))
        try store.removeOutage(clientID: "r", through: sequences[5])
        #expect(store.outageUsage(clientID: "r").messages == 4)
        try await store.flush()
        await store.close()
        let reopened = try await directory.open()
        let left = try await reopened.outageMessages(clientID: "r", after: 0, limit: 100, on: testEventLoop).get()
        #expect(left.map(\.sequence) == Array(sequences[6...]))
        #expect(reopened.outageUsage(clientID: "r").messages == 4)
        try reopened.discardOutage(clientID: "r")
        #expect(reopened.outageUsageByClient().keys.sorted() == ["other"])
        let gone = try await reopened.outageMessages(clientID: "r", after: 0, limit: 100, on: testEventLoop).get()
        #expect(gone.isEmpty)
        await reopened.close()
    }

    @Test("The per-client cap in messages refuses the next message and counts it; room comes back on removal")
    func perClientMessageCap() async throws {
        let directory = try StoreTestDirectory()
        let store = try await directory.open(
            directory.configuration(perClient: OutageBufferLimits(messages: 3, bytes: 1 << 20))
        )
        var last: UInt64 = 0
        for index in 0..<3 { last = try store.appendOutage(message("c", "\(index)")).sequence }
        #expect(
            throws: SessionStoreError.outageBufferFull(
                clientID: "c",
                scope: "per-client",
                limits: OutageBufferLimits(messages: 3, bytes: 1 << 20)
            )
        ) {
            _ = try store.appendOutage(message("c", "refused"))
        }
        #expect(store.statistics.outageMessagesRefused == 1)
        // Another client still has room.
        _ = try store.appendOutage(message("d", "fine"))
        try store.removeOutage(clientID: "c", through: last)
        _ = try store.appendOutage(message("c", "room again"))
        let messages = try await store.outageMessages(clientID: "c", after: 0, limit: 10, on: testEventLoop).get()
        #expect(messages.map { String(decoding: $0.payload, as: UTF8.self) } == ["room again"])
        await store.close()
    }

    @Test("The byte caps count topic and payload, per client and in total")
    func byteCaps() async throws {
        let directory = try StoreTestDirectory()
        let store = try await directory.open(
            directory.configuration(
                perClient: OutageBufferLimits(messages: 100, bytes: 100),
                total: OutageBufferLimits(messages: 100, bytes: 150)
            )
        )
        let sixty = OutageMessage(clientID: "x", topic: "t/x", payload: Data(count: 57), qos: 1)
        #expect(sixty.size == 60)
        _ = try store.appendOutage(sixty)
        #expect(throws: SessionStoreError.self) { _ = try store.appendOutage(sixty) }  // 120 > 100 for x
        var other = sixty
        other.clientID = "y"
        _ = try store.appendOutage(other)  // 120 in total
        var third = sixty
        third.clientID = "z"
        do {
            _ = try store.appendOutage(third)  // 180 > 150 in total
            Issue.record("the total byte cap did not refuse")
        } catch {
            #expect(error.isOutageBufferFull)
            #expect("\(error)".contains("total"))
        }
        #expect(store.outageUsageTotal == OutageBufferUsage(messages: 2, bytes: 120))
        await store.close()
        // The caps hold against what a reopened store finds on disk.
        let reopened = try await directory.open(
            directory.configuration(
                perClient: OutageBufferLimits(messages: 100, bytes: 100),
                total: OutageBufferLimits(messages: 100, bytes: 150)
            )
        )
        #expect(reopened.outageUsageTotal == OutageBufferUsage(messages: 2, bytes: 120))
        #expect(throws: SessionStoreError.self) { _ = try reopened.appendOutage(third) }
        await reopened.close()
    }

    @Test("Hostile messages are refused: empty topic, oversized topic or payload, QoS 3")
    func hostileMessages() async throws {
        let directory = try StoreTestDirectory()
        let store = try await directory.open()
        let bad = [
            OutageMessage(clientID: "h", topic: "", payload: Data(), qos: 1),
            OutageMessage(clientID: "h", topic: String(repeating: "t", count: 65_536), payload: Data(), qos: 1),
            OutageMessage(clientID: "h", topic: "t", payload: Data(count: 65_536), qos: 1),
            OutageMessage(clientID: "h", topic: "t", payload: Data(), qos: 3),
            OutageMessage(clientID: "", topic: "t", payload: Data(), qos: 1),
        ]
        for message in bad {
            #expect(throws: SessionStoreError.self) { _ = try store.appendOutage(message) }
        }
        #expect(store.outageUsageByClient().isEmpty)
        await store.close()
    }

    @Test("An append lost with a failed commit is reported to its waiter and frees its room")
    func failedAppendIsNotKept() async throws {
        let directory = try StoreTestDirectory()
        let store = try await directory.open()
        try await store.flush()
        let pages = try await store.database.write { try Int.fetchOne($0, sql: "PRAGMA page_count")! }
        try await store.database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = \(pages)") }
        let big = OutageMessage(clientID: "f", topic: "t", payload: Data(count: 60_000), qos: 1)
        var tickets: [SessionStoreTicket] = []
        for _ in 0..<4 { tickets.append(try store.appendOutage(big).ticket) }
        await #expect(throws: SessionStoreError.self) {
            try await store.whenDurable(tickets.last!, on: testEventLoop).get()
        }
        #expect(store.outageUsage(clientID: "f") == .zero)
        #expect(store.statistics.outageMessagesFailed == 4)
        try await store.database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = 1073741823") }
        let kept = try store.appendOutage(OutageMessage(clientID: "f", topic: "t", payload: Data("ok".utf8), qos: 1))
        try await store.whenDurable(kept.ticket, on: testEventLoop).get()
        let messages = try await store.outageMessages(clientID: "f", after: 0, limit: 10, on: testEventLoop).get()
        #expect(messages.map(\.sequence) == [kept.sequence])
        await store.close()
    }
}
