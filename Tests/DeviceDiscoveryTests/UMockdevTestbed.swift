import Foundation

/// A umockdev test bed in a child process (`Fixtures/umockdev-testbed.py` under `umockdev-wrapper`), and the
/// discovery probe running inside it.
///
/// umockdev works by `LD_PRELOAD`, so libudev calls only see the mocked sysfs in preloaded processes; that is why
/// the bed and the probe are child processes and not part of the test process. The bed answers each command with a
/// line; the probe's JSON lines arrive on the same pipe and are sorted into ``nextProbeRecord(within:)``.
final class UMockdevTestbed: @unchecked Sendable {
    /// The wait for any one line; generous because CI machines are slow, and only reached when something is broken.
    static let lineTimeout: Duration = .seconds(15)

    private let process: Process
    private let commands: FileHandle
    private let replies = LineQueue(name: "umockdev test bed")
    private let probeLines = LineQueue(name: "discovery probe")
    // Only touched by the pipe's readability handler, one call at a time.
    private var partialLine = Data()

    private init() throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/umockdev-wrapper")
        // The system interpreter: gi (python3-gi) is installed for it, not for a pyenv or venv python3 on PATH.
        process.arguments = ["/usr/bin/python3", Self.scriptPath]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        // The probe's per-device info logs would drown the test output; warnings and errors still show.
        var environment = ProcessInfo.processInfo.environment
        environment["SNBRIDGE_LOG_LEVEL"] = "warning"
        process.environment = environment
        commands = input.fileHandleForWriting
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            if data.isEmpty {
                handle.readabilityHandler = nil
                self.replies.close()
                self.probeLines.close()
            } else {
                self.consume(data)
            }
        }
        try process.run()
    }

    /// Runs `body` with an empty test bed and shuts the bed down afterwards, also when `body` throws.
    static func withTestbed(_ body: (UMockdevTestbed) async throws -> Void) async throws {
        let testbed = try await launch()
        do {
            try await body(testbed)
        } catch {
            await testbed.shutdown()
            throw error
        }
        await testbed.shutdown()
    }

    /// Starts an empty test bed.
    static func launch() async throws -> UMockdevTestbed {
        let testbed = try UMockdevTestbed()
        let ready = try await testbed.reply()
        guard ready["op"] as? String == "ready" else {
            throw TestbedError("unexpected first line from the test bed: \(ready)")
        }
        return testbed
    }

    /// Adds devices from a umockdev description (parents first); umockdev sends their "add" uevents.
    func add(_ description: String) async throws {
        try await send(["op": "add", "description": description])
    }

    /// Sends "remove" uevents for `syspaths` (leaf first, as the kernel does), then removes them from the bed.
    func remove(_ syspaths: [String]) async throws {
        try await send(["op": "remove", "syspaths": syspaths])
    }

    /// Starts the discovery probe inside the bed.
    func startProbe() async throws {
        try await send(["op": "start", "argv": [try Self.probePath()]])
    }

    /// Asks the probe to stop (SIGTERM) and returns its exit status once it has exited.
    func stopProbe() async throws -> Int {
        let answer = try await send(["op": "stop"])
        guard let status = answer["returncode"] as? Int else { throw TestbedError("no exit status in \(answer)") }
        return status
    }

    /// The next line the probe printed.
    func nextProbeRecord(within timeout: Duration = lineTimeout) async throws -> ProbeRecord {
        let line = try await probeLines.next(within: timeout)
        do {
            return try JSONDecoder().decode(ProbeRecord.self, from: Data(line.utf8))
        } catch {
            throw TestbedError("unreadable probe line '\(line)': \(error)")
        }
    }

    /// Stops the probe and the bed and removes the bed's directory.
    func shutdown() async {
        try? commands.write(contentsOf: Data("{\"op\": \"quit\"}\n".utf8))
        try? commands.close()
        let deadline = ContinuousClock.now + .seconds(15)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
    }

    @discardableResult
    private func send(_ command: [String: Any]) async throws -> [String: Any] {
        var line = try JSONSerialization.data(withJSONObject: command)
        line.append(UInt8(ascii: "\n"))
        try commands.write(contentsOf: line)
        let answer = try await reply()
        guard answer["testbed"] as? String == "ok", answer["op"] as? String == command["op"] as? String else {
            throw TestbedError("test bed refused \(command["op"] ?? "?"): \(answer)")
        }
        return answer
    }

    private func reply() async throws -> [String: Any] {
        let line = try await replies.next(within: Self.lineTimeout)
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw TestbedError("test bed answered '\(line)'")
        }
        return object
    }

    private func consume(_ data: Data) {
        partialLine.append(data)
        while let newline = partialLine.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: partialLine[partialLine.startIndex..<newline], as: UTF8.self)
            partialLine.removeSubrange(partialLine.startIndex...newline)
            // Every bed answer is an object with a "testbed" key; every probe line has an "event" key.
            if line.hasPrefix("{\"testbed\"") {
                replies.append(line)
            } else {
                probeLines.append(line)
            }
        }
    }

    private static var scriptPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/umockdev-testbed.py").path
    }

    /// The probe is built beside the test bundle (`swift build --build-tests` builds every executable).
    private static func probePath() throws -> String {
        if let override = ProcessInfo.processInfo.environment["SNBRIDGE_DISCOVERY_PROBE"] {
            return override
        }
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        // The test binary may sit inside an .xctest bundle directory.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("snbridge-discovery-probe").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw TestbedError(
            "snbridge-discovery-probe not found near \(testBinary.path); build it (swift build --build-tests) or set SNBRIDGE_DISCOVERY_PROBE"
        )
    }
}
