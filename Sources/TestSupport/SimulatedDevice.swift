import Foundation

/// The `snbridge-simdevice` process (the C reference library on a tty), driven through stdin and observed
/// through its one-event-per-line stdout.
public final class SimulatedDevice: @unchecked Sendable {
    public struct Timeout: Error, CustomStringConvertible {
        public let waitingFor: String
        public let seen: [String]
        public var description: String { "timed out waiting for \(self.waitingFor); device printed \(self.seen)" }
    }

    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let lock = NSLock()
    private var lines: [String] = []
    private var partial = Data()
    private var waiters:
        [(id: Int, prefix: String, occurrence: Int, continuation: CheckedContinuation<String?, Never>)] = []
    private var nextID = 0

    /// The simulator built next to the test bundle.
    public static var executableURL: URL {
        URL(fileURLWithPath: BuiltProduct.path("snbridge-simdevice"))
    }

    public init(arguments: [String]) throws {
        self.process.executableURL = Self.executableURL
        self.process.arguments = arguments
        self.process.standardInput = self.input
        self.process.standardOutput = self.output
        self.process.standardError = FileHandle.standardError
        self.output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            self?.consume(handle.availableData)
        }
        try self.process.run()
    }

    /// Sends one command line.
    public func send(_ command: String) {
        self.input.fileHandleForWriting.write(Data((command + "\n").utf8))
    }

    /// Everything printed so far.
    public var printed: [String] {
        self.lock.withLock { self.lines }
    }

    /// Waits for the `occurrence`-th line (already printed or still to come) that starts with `prefix`.
    @discardableResult
    public func waitForLine(
        startingWith prefix: String,
        occurrence: Int = 1,
        timeout: Duration = .seconds(10)
    ) async throws
        -> String
    {
        let id = self.lock.withLock { () -> Int in
            self.nextID += 1
            return self.nextID
        }
        let deadline = Task {
            try await Task.sleep(for: timeout)
            self.expire(id)
        }
        defer { deadline.cancel() }
        let line = await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            self.lock.withLock {
                let matches = self.lines.filter { $0.hasPrefix(prefix) }
                if matches.count >= occurrence {
                    continuation.resume(returning: matches[occurrence - 1])
                } else {
                    self.waiters.append((id, prefix, occurrence, continuation))
                }
            }
        }
        guard let line else { throw Timeout(waitingFor: "'\(prefix)' #\(occurrence)", seen: self.printed) }
        return line
    }

    private func expire(_ id: Int) {
        let continuation = self.lock.withLock { () -> CheckedContinuation<String?, Never>? in
            guard let index = self.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return self.waiters.remove(at: index).continuation
        }
        continuation?.resume(returning: nil)
    }

    /// Waits for the process to exit; it prints "bye" (quit) or "closed" (tty gone) just before.
    public func waitForExit(timeout: Duration = .seconds(10)) async throws {
        _ = try await self.waitForLine(startingWith: "bye", timeout: timeout)
        self.process.waitUntilExit()
    }

    public func terminate() {
        if self.process.isRunning { self.process.terminate() }
        try? self.input.fileHandleForWriting.close()
    }

    private func consume(_ data: Data) {
        guard !data.isEmpty else { return }
        var ready: [(CheckedContinuation<String?, Never>, String)] = []
        self.lock.withLock {
            self.partial.append(data)
            while let newline = self.partial.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: self.partial[self.partial.startIndex..<newline], as: UTF8.self)
                self.partial.removeSubrange(self.partial.startIndex...newline)
                self.lines.append(line)
                self.waiters.removeAll { waiter in
                    guard line.hasPrefix(waiter.prefix),
                        self.lines.filter({ $0.hasPrefix(waiter.prefix) }).count >= waiter.occurrence
                    else { return false }
                    ready.append((waiter.continuation, line))
                    return true
                }
            }
        }
        for (continuation, line) in ready {
            continuation.resume(returning: line)
        }
    }

    deinit {
        self.terminate()
    }
}
