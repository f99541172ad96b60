import Foundation
import NIOCore
import TestSupport
import Testing

@testable import SessionStore

@Suite("Session store: SIGKILL in the middle of a write burst", .serialized)
struct SessionStoreKillTests {
    @Test(
        "Every write reported durable before a SIGKILL is there after a restart, in order, over several kills",
        arguments: SessionStoreSynchronous.allCases
    )
    func killMidBurst(synchronous: SessionStoreSynchronous) async throws {
        let directory = try StoreTestDirectory()
        var durableThrough = -1
        for round in 0..<4 {
            let writer = try ChildProcess(
                executable: BuiltProduct.path("snbridge-store-writer"),
                arguments: [directory.path, synchronous.rawValue]
            )
            #expect(try await writer.waitForOutputLine(at: 0, timeout: .seconds(30)) == "writing")
            // Kill at a different point of the burst each round.
            _ = try await writer.waitForOutputLine(at: 3 + round * 7, timeout: .seconds(30))
            writer.send(signal: SIGKILL)
            let status = try await writer.waitForExit(timeout: .seconds(10))
            #expect(status == SIGKILL)
            let reported = writer.output.compactMap { line in
                line.hasPrefix("durable ") ? Int(line.dropFirst("durable ".count)) : nil
            }
            let roundDurable = try #require(reported.max())
            #expect(roundDurable > durableThrough)
            durableThrough = roundDurable

            let store = try await directory.open(directory.configuration(synchronous: synchronous))
            #expect(store.problems.isEmpty, "a killed writer leaves no damage: \(store.problems)")
            #expect(store.isDurable)
            // Sessions: each client's stored state is at least its last write reported durable.
            let sessions = Dictionary(uniqueKeysWithValues: store.takeRestoredSessions().map { ($0.clientID, $0) })
            for client in 0..<50 {
                let lastDurable = stride(from: durableThrough, through: 0, by: -1).first { $0 % 50 == client }
                guard let lastDurable else { continue }
                let record = try #require(sessions["client-\(client)"], "client-\(client) lost")
                let stored = record.state.prefix(8).reduce(0) { $0 << 8 | Int($1) }
                #expect(stored >= lastDurable, "client-\(client): stored \(stored), reported durable \(lastDurable)")
                #expect(Int(record.incarnation) == stored)
            }
            // Outage buffer: every message reported durable, once, in order per client.
            var numbers: [Int] = []
            for client in 0..<50 {
                let messages = try await store.outageMessages(
                    clientID: "client-\(client)",
                    after: 0,
                    limit: 1_000_000,
                    on: testEventLoop
                ).get()
                let values = messages.map { Int(String(decoding: $0.payload, as: UTF8.self))! }
                #expect(values == values.sorted(), "client-\(client) out of order")
                #expect(values.allSatisfy { $0 % 50 == client })
                numbers += values
            }
            let present = Set(numbers)
            #expect(present.count == numbers.count, "no message twice")
            let missing = (0...durableThrough).filter { !present.contains($0) }
            #expect(
                missing.isEmpty,
                "\(missing.count) messages reported durable are missing, first \(missing.prefix(5))"
            )
            await store.close()
        }
    }
}
