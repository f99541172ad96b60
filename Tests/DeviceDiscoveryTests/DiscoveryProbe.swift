import DeviceDiscovery
import Foundation
import Synchronization
import TestSupport

/// `snbridge-discovery-probe` running inside a umockdev test bed, its JSON lines read in order, each exactly once.
///
/// umockdev works by `LD_PRELOAD`, so libudev only sees the mocked sysfs in preloaded processes: that is why the
/// probe is a child process started through ``UMockdevBridgeTestbed/preloadedCommand(_:)``.
final class DiscoveryProbe: Sendable {
    /// The wait for any one line; generous because CI machines are slow, and only reached when something is broken.
    static let lineTimeout: Duration = .seconds(15)

    private let process: ChildProcess
    private let linesRead = Mutex(0)

    init(in testbed: UMockdevBridgeTestbed) throws {
        let command = testbed.preloadedCommand([try Self.executable()])
        process = try ChildProcess(executable: command.executable, arguments: command.arguments)
    }

    /// The probe's next line.
    func nextRecord(within timeout: Duration = lineTimeout) async throws -> DeviceDiscoveryEventRecord {
        let index = linesRead.withLock { count in
            defer { count += 1 }
            return count
        }
        let line: String
        do {
            line = try await process.waitForOutputLine(at: index, timeout: timeout)
        } catch {
            throw ProbeFailure("\(error); the probe's log:\n\(process.errorOutput.joined(separator: "\n"))")
        }
        do {
            return try JSONDecoder().decode(DeviceDiscoveryEventRecord.self, from: Data(line.utf8))
        } catch {
            throw ProbeFailure("unreadable probe line '\(line)': \(error)")
        }
    }

    /// Asks the probe to stop (SIGTERM) and returns its exit status once it has exited.
    func stop() async throws -> Int32 {
        process.send(signal: SIGTERM)
        return try await process.waitForExit(timeout: Self.lineTimeout)
    }

    /// Ends the probe if it is still running.
    func terminate() async {
        await process.terminate()
    }

    /// Runs `body` with an empty test bed, then ends every probe it started and shuts the bed down, also when `body`
    /// throws.
    static func withTestbed(
        _ body: (UMockdevBridgeTestbed, _ startProbe: () throws -> DiscoveryProbe) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("snbridge-discovery-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let testbed = try await UMockdevBridgeTestbed.launch(in: directory)
        var probes: [DiscoveryProbe] = []
        let startProbe = {
            let probe = try DiscoveryProbe(in: testbed)
            probes.append(probe)
            return probe
        }
        do {
            try await body(testbed, startProbe)
        } catch {
            for probe in probes { await probe.terminate() }
            await testbed.shutdown()
            throw error
        }
        for probe in probes { await probe.terminate() }
        await testbed.shutdown()
    }

    /// The probe is built beside the test bundle (`swift build --build-tests` builds every executable).
    private static func executable() throws -> String {
        if let override = ProcessInfo.processInfo.environment["SNBRIDGE_DISCOVERY_PROBE"] {
            return override
        }
        let candidate = BuiltProduct.path("snbridge-discovery-probe")
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw ProbeFailure(
                "\(candidate) not found; build it (swift build --build-tests) or set SNBRIDGE_DISCOVERY_PROBE"
            )
        }
        return candidate
    }
}

/// What went wrong reading the probe, in words.
struct ProbeFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
