import Foundation
import Logging
import NIOCore
import NIOPosix

/// What every scenario shares: the broker, the collector, the event loops that drive the load, where the binaries
/// are, and the results so far.
final class BenchContext: @unchecked Sendable {
    let options: BenchOptions
    let broker: BenchBroker
    let collector: MessageCollector
    /// Drives the generated clients; a few loops, never a thread per client.
    let loadGroup: MultiThreadedEventLoopGroup
    let collectorGroup: MultiThreadedEventLoopGroup
    let logger: Logger
    private(set) var results: [ScenarioResult] = []
    private var nextRunID: UInt32 = UInt32.random(in: 1...1_000_000)

    init(
        options: BenchOptions,
        broker: BenchBroker,
        collector: MessageCollector,
        loadGroup: MultiThreadedEventLoopGroup,
        collectorGroup: MultiThreadedEventLoopGroup,
        logger: Logger
    ) {
        self.options = options
        self.broker = broker
        self.collector = collector
        self.loadGroup = loadGroup
        self.collectorGroup = collectorGroup
        self.logger = logger
    }

    func makeRunID() -> UInt32 {
        nextRunID &+= 1
        return nextRunID
    }

    /// Prints the result as one JSON line (and appends it to the JSON file if one was given) and keeps it for the table.
    func report(_ result: ScenarioResult) {
        results.append(result)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(result), let line = String(data: data, encoding: .utf8) else { return }
        // Unbuffered, so a piped run shows each line as its scenario finishes.
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
        if let path = options.jsonOutput {
            if !FileManager.default.fileExists(atPath: path) {
                _ = FileManager.default.createFile(atPath: path, contents: nil)
            }
            if let handle = FileHandle(forWritingAtPath: path) {
                handle.seekToEndOfFile()
                handle.write(Data((line + "\n").utf8))
                try? handle.close()
            }
        }
    }

    func progress(_ text: String) {
        FileHandle.standardError.write(Data("[\(timestamp())] \(text)\n".utf8))
    }

    private func timestamp() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }
}
