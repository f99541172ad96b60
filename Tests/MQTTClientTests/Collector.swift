import Foundation

/// Collects values delivered from other threads (message handlers, connection events) and lets a test wait
/// until what was collected satisfies a condition, with a deadline instead of a sleep.
///
/// Conditions run under the collector's lock and receive the values; they must not call back into it.
final class Collector<Value: Sendable>: @unchecked Sendable {
    private typealias Condition = ([Value]) -> Value?

    private let lock = NSLock()
    private var values: [Value] = []
    private var waiters: [(id: UUID, condition: Condition, continuation: CheckedContinuation<Value, any Error>)] = []

    var all: [Value] { lock.withLock { values } }

    func append(_ value: Value) {
        lock.lock()
        values.append(value)
        var satisfied: [(CheckedContinuation<Value, any Error>, Value)] = []
        let current = values
        waiters.removeAll { waiter in
            guard let match = waiter.condition(current) else { return false }
            satisfied.append((waiter.continuation, match))
            return true
        }
        lock.unlock()
        for (continuation, value) in satisfied { continuation.resume(returning: value) }
    }

    /// Waits until a value (already collected or future) satisfies `predicate`, and returns it.
    @discardableResult
    func wait(
        timeout: Duration = .seconds(10),
        _ what: String = "a matching value",
        where predicate: @escaping @Sendable (Value) -> Bool
    ) async throws -> Value {
        try await waitUntil(timeout: timeout, what) { $0.first(where: predicate) }
    }

    /// Waits until `count` values satisfy `predicate`, and returns the last of them.
    @discardableResult
    func wait(
        count: Int,
        timeout: Duration = .seconds(10),
        _ what: String = "matching values",
        where predicate: @escaping @Sendable (Value) -> Bool
    ) async throws -> Value {
        try await waitUntil(timeout: timeout, what) { values in
            let matching = values.filter(predicate)
            return matching.count >= count ? matching[count - 1] : nil
        }
    }

    private func waitUntil(timeout: Duration, _ what: String, _ condition: @escaping Condition) async throws -> Value {
        let id = UUID()
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            self?.expire(id, what: what, timeout: timeout)
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            lock.lock()
            if let value = condition(values) {
                lock.unlock()
                continuation.resume(returning: value)
            } else {
                waiters.append((id, condition, continuation))
                lock.unlock()
            }
        }
    }

    private func expire(_ id: UUID, what: String, timeout: Duration) {
        lock.lock()
        var expired: [CheckedContinuation<Value, any Error>] = []
        waiters.removeAll { waiter in
            guard waiter.id == id else { return false }
            expired.append(waiter.continuation)
            return true
        }
        lock.unlock()
        for continuation in expired {
            continuation.resume(throwing: CollectorTimeout(description: "no \(what) within \(timeout)"))
        }
    }
}

struct CollectorTimeout: Error, CustomStringConvertible {
    let description: String
}
