import Foundation

/// Lines arriving from a pipe, taken one at a time by waiters with a deadline.
final class LineWaiter: @unchecked Sendable {
    struct Timeout: Error, CustomStringConvertible {
        let name: String
        let timeout: Duration
        var description: String { "no line from \(name) within \(timeout)" }
    }

    private let name: String
    private let lock = NSLock()
    private var lines: [String] = []
    private var closed = false
    private var waiter: (id: Int, continuation: CheckedContinuation<String?, Never>)?
    private var nextID = 0

    init(name: String) {
        self.name = name
    }

    func append(_ line: String) {
        let continuation = lock.withLock { () -> CheckedContinuation<String?, Never>? in
            if let waiter {
                self.waiter = nil
                return waiter.continuation
            }
            lines.append(line)
            return nil
        }
        continuation?.resume(returning: line)
    }

    func close() {
        let continuation = lock.withLock { () -> CheckedContinuation<String?, Never>? in
            closed = true
            defer { waiter = nil }
            return waiter?.continuation
        }
        continuation?.resume(returning: nil)
    }

    /// The next line; throws when none arrives within `timeout` or the pipe closed.
    func next(within timeout: Duration) async throws -> String {
        let id = lock.withLock { () -> Int in
            nextID += 1
            return nextID
        }
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            self?.expire(id)
        }
        defer { timer.cancel() }
        let line = await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            let immediate = lock.withLock { () -> String?? in
                if !lines.isEmpty { return .some(lines.removeFirst()) }
                if closed { return .some(nil) }
                waiter = (id, continuation)
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
        guard let line else { throw Timeout(name: name, timeout: timeout) }
        return line
    }

    private func expire(_ id: Int) {
        let continuation = lock.withLock { () -> CheckedContinuation<String?, Never>? in
            guard let waiter, waiter.id == id else { return nil }
            self.waiter = nil
            return waiter.continuation
        }
        continuation?.resume(returning: nil)
    }
}
