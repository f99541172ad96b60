import Synchronization

/// Lines from a child process, handed to one consumer that waits for each with a deadline.
final class LineQueue: Sendable {
    private struct State {
        var lines: [String] = []
        var isClosed = false
        var waiter: (id: Int, continuation: CheckedContinuation<String, any Error>)?
        var nextWaiterID = 0
        /// A deadline that passed before its waiter was registered.
        var expiredWaiterID: Int?
    }

    private let name: String
    private let state = Mutex(State())

    init(name: String) {
        self.name = name
    }

    func append(_ line: String) {
        let waiter = state.withLock { state -> CheckedContinuation<String, any Error>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter.continuation
            }
            state.lines.append(line)
            return nil
        }
        waiter?.resume(returning: line)
    }

    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<String, any Error>? in
            state.isClosed = true
            defer { state.waiter = nil }
            return state.waiter?.continuation
        }
        waiter?.resume(throwing: TestbedError("\(name) ended while a line was awaited"))
    }

    /// The next line, waiting at most `timeout` for it.
    func next(within timeout: Duration) async throws -> String {
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        let timer = Task { [name] in
            try await Task.sleep(for: timeout)
            let expired = self.state.withLock { state -> CheckedContinuation<String, any Error>? in
                guard let waiter = state.waiter, waiter.id == id else {
                    state.expiredWaiterID = id
                    return nil
                }
                state.waiter = nil
                return waiter.continuation
            }
            expired?.resume(throwing: TestbedError("no line from \(name) within \(timeout)"))
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            let immediate = state.withLock { state -> Result<String, any Error>? in
                if !state.lines.isEmpty { return .success(state.lines.removeFirst()) }
                if state.isClosed { return .failure(TestbedError("\(name) ended while a line was awaited")) }
                if state.expiredWaiterID == id { return .failure(TestbedError("no line from \(name) within \(timeout)")) }
                state.waiter = (id, continuation)
                return nil
            }
            if let immediate { continuation.resume(with: immediate) }
        }
    }
}
