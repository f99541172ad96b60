/// Polls `condition` until it yields a value, for at most `timeout`: how tests wait for a condition instead of
/// sleeping for a fixed time.
public func eventually<Value>(
    timeout: Duration = .seconds(10),
    every interval: Duration = .milliseconds(20),
    _ what: @autoclosure () -> String = "a condition",
    _ condition: () async throws -> Value?
) async throws -> Value {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if let value = try await condition() { return value }
        guard clock.now < deadline else { throw EventuallyError(description: "timed out waiting for \(what())") }
        try await Task.sleep(for: interval)
    }
}

public struct EventuallyError: Error, CustomStringConvertible {
    public let description: String
}
