import Foundation
import Logging
import SNBridgeLogging
import Testing

@Suite("snbridge's log handler")
struct SNBridgeLogHandlerTests {
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var storage: [String] = []
        var all: [String] { lock.withLock { storage } }
        func append(_ line: String) { lock.withLock { storage.append(line) } }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String { "the broker refused the connection: not authorized" }
    }

    @Test("A logger's own metadata, the call's metadata and an attached error all reach the line")
    func metadataAndError() {
        let lines = Lines()
        var logger = Logger(label: "snbridge") { _ in
            SNBridgeLogHandler(format: .journal, logLevel: .info, output: LogOutput(sink: lines.append))
        }
        logger[metadataKey: "gateway.id"] = "1"
        logger.debug("Not shown")
        logger.warning("Status session failed", error: Failure(), metadata: ["retry.delay_ms": "500"])
        #expect(lines.all.count == 1)
        #expect(
            lines.all.first
                == "<4>SNBridgeLoggingTests: Status session failed error.description=\"the broker refused the connection: not authorized\" gateway.id=1 retry.delay_ms=500"
        )
    }

    @Test("JOURNAL_STREAM selects the journal format only when it names this process's standard error")
    func automaticFormat() throws {
        #expect(LogFormat.automatic(environment: [:]) == .text)
        #expect(LogFormat.automatic(environment: ["JOURNAL_STREAM": "garbage"]) == .text)
        let pipe = Pipe()
        let descriptor = pipe.fileHandleForWriting.fileDescriptor
        var status = stat()
        try #require(fstat(descriptor, &status) == 0)
        let matching = "\(status.st_dev):\(status.st_ino)"
        #expect(LogFormat.automatic(environment: ["JOURNAL_STREAM": matching], standardError: descriptor) == .journal)
        #expect(
            LogFormat.automatic(
                environment: ["JOURNAL_STREAM": "\(status.st_dev):\(status.st_ino + 1)"],
                standardError: descriptor
            ) == .text
        )
    }
}
