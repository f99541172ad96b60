import Foundation
import Logging
import NIOCore
import NIOPosix
import SessionStore

/// `snbridge-store-writer DIRECTORY SYNCHRONOUS`: writes session records and outage messages to a session store in
/// `DIRECTORY` as fast as the store takes them, and prints `durable N` once every write up to number N is committed.
/// The SIGKILL tests kill it mid-burst and check that every write it reported durable is in the reopened store.
///
/// Write N saves the session `client-(N % 50)` with N in its state and as its incarnation, and appends outage message
/// N for that client (topic `t/(N % 50)`, payload N). A run continues after the highest N a previous one left in
/// the outage buffer. Not after the highest session incarnation: the session write and the append are two writes,
/// and a commit can take the first without the second, so a killed run can leave session N stored and message N not.
@main
struct StoreWriter {
    static let clients = 50

    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 3, let synchronous = SessionStoreSynchronous(rawValue: arguments[2]) else {
            FileHandle.standardError.write(Data("usage: snbridge-store-writer DIRECTORY normal|full\n".utf8))
            exit(64)
        }
        let unlimited = OutageBufferLimits(messages: .max, bytes: .max)
        let store = try await SessionStore.open(
            configuration: SessionStoreConfiguration(
                location: .directory(arguments[1]),
                synchronous: synchronous,
                outageBufferPerClient: unlimited,
                outageBufferTotal: unlimited
            ),
            logger: Logger(label: "snbridge-store-writer")
        )
        guard store.isDurable else {
            FileHandle.standardError.write(Data("store not durable: \(store.problems)\n".utf8))
            exit(1)
        }
        let padding = Data(repeating: 0xA5, count: 200)
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        var number = 0
        for client in 0..<clients {
            let messages = try await store.outageMessages(
                clientID: "client-\(client)",
                after: 0,
                limit: .max,
                on: eventLoop
            ).get()
            if let last = messages.last, let value = Int(String(decoding: last.payload, as: UTF8.self)) {
                number = max(number, value + 1)
            }
        }
        FileHandle.standardOutput.write(Data("writing\n".utf8))
        while true {
            // Every ticket is waited for: a ticket is durable on its own, and one failed commit between two good
            // ones must not be reported durable by a later ticket.
            var tickets: [SessionStoreTicket] = []
            for _ in 0..<64 {
                let client = "client-\(number % clients)"
                var state = withUnsafeBytes(of: UInt64(number).bigEndian) { Data($0) }
                state.append(padding)
                tickets.append(
                    try store.save(
                        SessionRecord(clientID: client, formatVersion: 1, state: state, incarnation: UInt64(number))
                    )
                )
                let message = OutageMessage(
                    clientID: client,
                    topic: "t/\(number % clients)",
                    payload: Data("\(number)".utf8),
                    qos: 1
                )
                tickets.append(try store.appendOutage(message).ticket)
                number += 1
            }
            try await EventLoopFuture.andAllSucceed(
                tickets.map { store.whenDurable($0, on: eventLoop) },
                on: eventLoop
            ).get()
            // Unbuffered, so every line written is in the pipe when the SIGKILL comes.
            FileHandle.standardOutput.write(Data("durable \(number - 1)\n".utf8))
        }
    }
}
