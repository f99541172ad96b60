import Foundation

/// A umockdev test bed in a child process (under `umockdev-wrapper`), in which a test adds and removes emulated
/// USB-serial boards whose ttys are real ptys, and relays each tty to a path a simulated board can open.
///
/// umockdev works by `LD_PRELOAD`: only preloaded processes see the bed. Start the program under test with
/// ``preloadedCommand(_:)`` so that it runs in the bed too (the way `umockdev-run` would).
///
/// ```
///  snbridge (preloaded) --open /dev/ttyUSB0--> bed pty slave <=> bed pty master <== relay ==> board pty <-- simdevice
/// ```
public final class UMockdevBridgeTestbed: @unchecked Sendable {
    /// The error a refused command or a broken bed produces.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The wait for any one answer; generous for slow CI machines, only reached when something is broken.
    public static let answerTimeout: Duration = .seconds(15)

    /// The bed's root directory, which preloaded programs get as `UMOCKDEV_DIR`.
    public private(set) var root = ""

    private let process = Process()
    private let commands: FileHandle
    private let answers = LineWaiter(name: "umockdev test bed")
    private let scriptFile: URL
    private let lock = NSLock()
    private var partial = Data()

    /// Whether umockdev and its Python bindings are installed (`umockdev-wrapper`, `/usr/bin/python3` with gi).
    public static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/umockdev-wrapper")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
    }

    private init(directory: URL) throws {
        scriptFile = directory.appendingPathComponent("umockdev-bridge-testbed.py")
        try UMockdevBridgeTestbedScript.source.write(to: scriptFile, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/umockdev-wrapper")
        // The system interpreter: gi (python3-gi) is installed for it, not for a pyenv python3 on PATH.
        process.arguments = ["/usr/bin/python3", scriptFile.path]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        commands = input.fileHandleForWriting
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            if data.isEmpty {
                handle.readabilityHandler = nil
                self.answers.close()
            } else {
                self.consume(data)
            }
        }
        try process.run()
    }

    /// Starts an empty bed; its script goes into `directory`.
    public static func launch(in directory: URL) async throws -> UMockdevBridgeTestbed {
        let testbed = try UMockdevBridgeTestbed(directory: directory)
        let ready = try await testbed.answer()
        guard ready["op"] as? String == "ready", let root = ready["root"] as? String else {
            await testbed.shutdown()
            throw Failure(description: "unexpected first line from the test bed: \(ready)")
        }
        testbed.root = root
        return testbed
    }

    /// `command` run inside the bed: through `env` with `UMOCKDEV_DIR` and `umockdev-wrapper`, both of which exec,
    /// so the process id is the program's own and signals reach it.
    public func preloadedCommand(_ command: [String]) -> (executable: String, arguments: [String]) {
        ("/usr/bin/env", ["UMOCKDEV_DIR=\(root)", "/usr/bin/umockdev-wrapper"] + command)
    }

    /// Adds devices from a umockdev description (parents first); umockdev sends their "add" uevents.
    public func add(_ description: String) async throws {
        try await send(["op": "add", "description": description])
    }

    /// Relays the emulated tty `devnode` to a new pty whose slave is linked at `link`.
    public func relay(_ devnode: String, to link: String) async throws {
        try await send(["op": "relay", "devnode": devnode, "link": link])
    }

    /// Stops relaying `devnode`: the board's end hangs up.
    public func stopRelay(_ devnode: String) async throws {
        try await send(["op": "unrelay", "devnode": devnode])
    }

    /// Sends "remove" uevents for `syspaths` (leaf first, as the kernel does), then removes them from the bed.
    public func remove(_ syspaths: [String]) async throws {
        try await send(["op": "remove", "syspaths": syspaths])
    }

    /// Stops the relays and the bed, which deletes its directory.
    public func shutdown() async {
        try? commands.write(contentsOf: Data("{\"op\": \"quit\"}\n".utf8))
        try? commands.close()
        let deadline = ContinuousClock.now + .seconds(15)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        try? FileManager.default.removeItem(at: scriptFile)
    }

    @discardableResult
    private func send(_ command: [String: Any]) async throws -> [String: Any] {
        var line = try JSONSerialization.data(withJSONObject: command)
        line.append(UInt8(ascii: "\n"))
        try commands.write(contentsOf: line)
        let answer = try await answer()
        guard answer["testbed"] as? String == "ok", answer["op"] as? String == command["op"] as? String else {
            throw Failure(description: "test bed refused \(command["op"] ?? "?"): \(answer)")
        }
        return answer
    }

    private func answer() async throws -> [String: Any] {
        let line = try await answers.next(within: Self.answerTimeout)
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw Failure(description: "test bed answered '\(line)'")
        }
        return object
    }

    private func consume(_ data: Data) {
        let lines = lock.withLock { () -> [String] in
            partial.append(data)
            var lines: [String] = []
            while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
                lines.append(String(decoding: partial[partial.startIndex..<newline], as: UTF8.self))
                partial.removeSubrange(partial.startIndex...newline)
            }
            return lines
        }
        for line in lines where line.hasPrefix("{\"testbed\"") {
            answers.append(line)
        }
    }
}
