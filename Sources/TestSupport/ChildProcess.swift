import Foundation

/// A child process whose standard output and error are collected line by line, so tests can wait for a specific
/// line (a broker's "running", a subscriber's "received SUBACK") instead of sleeping.
///
/// Stopping only ever signals this process by its pid.
public final class ChildProcess: @unchecked Sendable {
    /// The process id, for logs and for `kill` by pid.
    public var pid: Int32 { process.processIdentifier }
    /// The command line, for failure messages.
    public let commandLine: String

    private let process: Process
    private let outputReader: FileHandle
    private let errorReader: FileHandle
    private let lock = NSLock()
    private var outputLines: [String] = []
    private var errorLines: [String] = []
    private var partialOutput = Data()
    private var partialError = Data()
    private var exitStatus: Int32?
    private var rawExitStatus: Int32?
    private var openStreams = 2
    private var lineWaiters:
        [(id: Int, predicate: (String) -> Bool, continuation: CheckedContinuation<String, any Error>)] = []
    private var outputLineWaiters: [(id: Int, index: Int, continuation: CheckedContinuation<String, any Error>)] = []
    private var exitWaiters: [(id: Int, continuation: CheckedContinuation<Int32, any Error>)] = []
    private var nextWaiterID = 0

    /// Launches `executable` with `arguments`, in `directory` if given.
    public init(executable: String, arguments: [String], directory: URL? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let outputPipe = Pipe()
        let errorPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        process.standardInput = FileHandle.nullDevice
        self.process = process
        self.commandLine = ([executable] + arguments).joined(separator: " ")

        // Neither pipe end may leak into other children spawned concurrently, or EOF would never come.
        for pipe in [outputPipe, errorPipe] {
            _ = fcntl(pipe.fileHandleForReading.fileDescriptor, F_SETFD, FD_CLOEXEC)
            _ = fcntl(pipe.fileHandleForWriting.fileDescriptor, F_SETFD, FD_CLOEXEC)
        }
        self.outputReader = outputPipe.fileHandleForReading
        self.errorReader = errorPipe.fileHandleForReading
        process.terminationHandler = { [weak self] finished in
            self?.exited(status: finished.terminationStatus)
        }
        try Self.runWithDefaultSignalMask(process)
        // Process closes our copies of the write ends once the child has its own, so EOF comes at the child's exit.
        startReading(outputReader, isError: false)
        startReading(errorReader, isError: true)
    }

    /// Reads one pipe to EOF on a thread of its own.
    ///
    /// Plain blocking reads rather than `readabilityHandler`: dispatch read sources on pipes that are closed while
    /// registered have crashed libdispatch's event loop when many processes come and go in parallel tests.
    private func startReading(_ handle: FileHandle, isError: Bool) {
        let descriptor = handle.fileDescriptor
        let thread = Thread { [weak self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(descriptor, &buffer, buffer.count)
                if count > 0 {
                    self?.consume(Data(buffer[0..<count]), isError: isError)
                } else if count < 0, errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            self?.streamClosed()
            // The descriptor is closed only here, after the last read, so it cannot be reused under a reader.
            try? handle.close()
        }
        thread.start()
    }

    /// Starts `process` with no signals blocked.
    ///
    /// A child inherits the signal mask of the thread that spawns it, and the threads Swift concurrency runs on
    /// block SIGTERM, SIGINT, SIGHUP and SIGUSR1/2: a child started from them would ignore ``terminate(grace:)``.
    private static func runWithDefaultSignalMask(_ process: Process) throws {
        var unblocked = sigset_t()
        var previous = sigset_t()
        sigemptyset(&unblocked)
        pthread_sigmask(SIG_SETMASK, &unblocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try process.run()
    }

    deinit {
        if process.isRunning { kill(pid, SIGKILL) }
    }

    /// Every complete line written to standard output so far.
    public var output: [String] {
        lock.withLock { outputLines }
    }

    /// Every complete line written to standard error so far.
    public var errorOutput: [String] {
        lock.withLock { errorLines }
    }

    /// The exit status once the process has exited.
    public var terminationStatus: Int32? {
        lock.withLock { exitStatus }
    }

    /// Waits until a standard output or error line satisfies `predicate` (lines already seen count).
    @discardableResult
    public func waitForLine(
        timeout: Duration = .seconds(10),
        where predicate: @escaping @Sendable (String) -> Bool
    ) async throws -> String {
        let id = lock.withLock { () -> Int in
            nextWaiterID += 1
            return nextWaiterID
        }
        return try await withTimeout(timeout, id: id, description: "a matching line") {
            try await withCheckedThrowingContinuation { continuation in
                self.lock.lock()
                if let line = (self.outputLines + self.errorLines).first(where: predicate) {
                    self.lock.unlock()
                    continuation.resume(returning: line)
                } else if let status = self.exitStatus {
                    self.lock.unlock()
                    continuation.resume(throwing: ChildProcessError.exitedBeforeLine(self.commandLine, status: status))
                } else {
                    self.lineWaiters.append((id, predicate, continuation))
                    self.lock.unlock()
                }
            }
        }
    }

    /// Waits until standard output has a line number `index` (from 0) and returns it; for a test that reads the output
    /// in order, each line exactly once.
    public func waitForOutputLine(at index: Int, timeout: Duration = .seconds(10)) async throws -> String {
        let id = lock.withLock { () -> Int in
            nextWaiterID += 1
            return nextWaiterID
        }
        return try await withTimeout(timeout, id: id, description: "output line \(index + 1)") {
            try await withCheckedThrowingContinuation { continuation in
                self.lock.lock()
                if index < self.outputLines.count {
                    let line = self.outputLines[index]
                    self.lock.unlock()
                    continuation.resume(returning: line)
                } else if let status = self.exitStatus {
                    self.lock.unlock()
                    continuation.resume(throwing: ChildProcessError.exitedBeforeLine(self.commandLine, status: status))
                } else {
                    self.outputLineWaiters.append((id, index, continuation))
                    self.lock.unlock()
                }
            }
        }
    }

    /// Waits until the process has exited and returns its status.
    @discardableResult
    public func waitForExit(timeout: Duration = .seconds(10)) async throws -> Int32 {
        let id = lock.withLock { () -> Int in
            nextWaiterID += 1
            return nextWaiterID
        }
        return try await withTimeout(timeout, id: id, description: "exit") {
            try await withCheckedThrowingContinuation { continuation in
                self.lock.lock()
                if let status = self.exitStatus {
                    self.lock.unlock()
                    continuation.resume(returning: status)
                } else {
                    self.exitWaiters.append((id, continuation))
                    self.lock.unlock()
                }
            }
        }
    }

    /// Sends SIGTERM and waits for the exit; SIGKILL if it has not exited within `grace`.
    public func terminate(grace: Duration = .seconds(5)) async {
        guard terminationStatus == nil else { return }
        kill(pid, SIGTERM)
        do {
            try await waitForExit(timeout: grace)
        } catch {
            kill(pid, SIGKILL)
            _ = try? await waitForExit(timeout: grace)
        }
    }

    /// Sends `signal` to this process only.
    public func send(signal: Int32) {
        if terminationStatus == nil { kill(pid, signal) }
    }

    private func withTimeout<Value: Sendable>(
        _ timeout: Duration,
        id: Int,
        description: String,
        _ body: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            self?.expireWaiter(id: id, description: description, timeout: timeout)
        }
        defer { timer.cancel() }
        return try await body()
    }

    private func expireWaiter(id: Int, description: String, timeout: Duration) {
        lock.lock()
        let error = ChildProcessError.timedOut(commandLine, waitingFor: description, timeout: timeout)
        var expired: [CheckedContinuation<String, any Error>] = []
        lineWaiters.removeAll { waiter in
            guard waiter.id == id else { return false }
            expired.append(waiter.continuation)
            return true
        }
        outputLineWaiters.removeAll { waiter in
            guard waiter.id == id else { return false }
            expired.append(waiter.continuation)
            return true
        }
        var expiredExits: [CheckedContinuation<Int32, any Error>] = []
        exitWaiters.removeAll { waiter in
            guard waiter.id == id else { return false }
            expiredExits.append(waiter.continuation)
            return true
        }
        lock.unlock()
        for waiter in expired { waiter.resume(throwing: error) }
        for exit in expiredExits { exit.resume(throwing: error) }
    }

    private func consume(_ data: Data, isError: Bool) {
        guard !data.isEmpty else { return }
        lock.lock()
        var buffer = isError ? partialError : partialOutput
        buffer.append(data)
        var newLines: [String] = []
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
            newLines.append(line)
            buffer.removeSubrange(buffer.startIndex...newline)
        }
        if isError {
            partialError = buffer
            errorLines.append(contentsOf: newLines)
        } else {
            partialOutput = buffer
            outputLines.append(contentsOf: newLines)
        }
        var satisfied: [(CheckedContinuation<String, any Error>, String)] = []
        lineWaiters.removeAll { waiter in
            guard let line = newLines.first(where: waiter.predicate) else { return false }
            satisfied.append((waiter.continuation, line))
            return true
        }
        outputLineWaiters.removeAll { waiter in
            guard waiter.index < outputLines.count else { return false }
            satisfied.append((waiter.continuation, outputLines[waiter.index]))
            return true
        }
        lock.unlock()
        for (continuation, line) in satisfied { continuation.resume(returning: line) }
    }

    private func streamClosed() {
        let status: Int32? = lock.withLock {
            openStreams -= 1
            return openStreams == 0 ? rawExitStatus : nil
        }
        if let status { finish(status: status) }
    }

    /// The exit is announced once both pipes reached EOF, so waiters see the complete output; should a pipe stay
    /// open (a grandchild holding it), it is announced after a grace period anyway.
    private func exited(status: Int32) {
        let streamsDone: Bool = lock.withLock {
            rawExitStatus = status
            return openStreams == 0
        }
        if streamsDone {
            finish(status: status)
        } else {
            DispatchQueue.global().asyncAfter(deadline: .now() + 2) { [weak self] in self?.finish(status: status) }
        }
    }

    private func finish(status: Int32) {
        lock.lock()
        guard exitStatus == nil else {
            lock.unlock()
            return
        }
        // A last line without a trailing newline still counts.
        for isError in [false, true] {
            let rest = isError ? partialError : partialOutput
            guard !rest.isEmpty else { continue }
            let line = String(decoding: rest, as: UTF8.self)
            if isError {
                errorLines.append(line)
                partialError = Data()
            } else {
                outputLines.append(line)
                partialOutput = Data()
            }
        }
        exitStatus = status
        let lines = outputLines + errorLines
        let waiters = lineWaiters
        lineWaiters = []
        let output = outputLines
        let outputWaiters = outputLineWaiters
        outputLineWaiters = []
        let exits = exitWaiters
        exitWaiters = []
        lock.unlock()
        for waiter in waiters {
            if let line = lines.first(where: waiter.predicate) {
                waiter.continuation.resume(returning: line)
            } else {
                waiter.continuation.resume(throwing: ChildProcessError.exitedBeforeLine(commandLine, status: status))
            }
        }
        for waiter in outputWaiters {
            if waiter.index < output.count {
                waiter.continuation.resume(returning: output[waiter.index])
            } else {
                waiter.continuation.resume(throwing: ChildProcessError.exitedBeforeLine(commandLine, status: status))
            }
        }
        for waiter in exits { waiter.continuation.resume(returning: status) }
    }
}

/// Why waiting on a ``ChildProcess`` failed.
public struct ChildProcessError: Error, CustomStringConvertible {
    public let description: String

    static func timedOut(_ commandLine: String, waitingFor what: String, timeout: Duration) -> Self {
        Self(description: "'\(commandLine)' did not produce \(what) within \(timeout)")
    }

    static func exitedBeforeLine(_ commandLine: String, status: Int32) -> Self {
        Self(description: "'\(commandLine)' exited with status \(status) before producing the expected line")
    }

    static func failed(_ commandLine: String, status: Int32, output: String) -> Self {
        Self(description: "'\(commandLine)' failed with status \(status): \(output)")
    }
}

extension ChildProcess {
    /// Runs a short-lived command to completion and returns its standard output; throws if it exits non-zero.
    @discardableResult
    public static func run(
        _ executable: String,
        _ arguments: [String],
        directory: URL? = nil,
        timeout: Duration = .seconds(30)
    ) async throws -> String {
        let child = try ChildProcess(executable: executable, arguments: arguments, directory: directory)
        let status: Int32
        do {
            status = try await child.waitForExit(timeout: timeout)
        } catch {
            await child.terminate()
            throw error
        }
        guard status == 0 else {
            throw ChildProcessError.failed(
                child.commandLine,
                status: status,
                output: (child.output + child.errorOutput).joined(separator: "\n")
            )
        }
        return child.output.joined(separator: "\n")
    }
}
