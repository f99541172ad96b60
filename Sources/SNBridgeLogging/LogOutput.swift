import Foundation

/// Where a ``SNBridgeLogHandler`` writes its lines: each line goes out whole in one `write`, under a lock, so
/// lines from different threads never interleave.
public final class LogOutput: Sendable {
    private let sink: @Sendable (String) -> Void

    /// Lines are handed to `sink` without their newline.
    public init(sink: @escaping @Sendable (String) -> Void) {
        self.sink = sink
    }

    func write(_ line: String) {
        sink(line)
    }

    /// Standard error, one `write(2)` per line.
    public static let standardError: LogOutput = {
        let lock = NSLock()
        return LogOutput { line in
            var bytes = Array(line.utf8)
            bytes.append(UInt8(ascii: "\n"))
            lock.withLock {
                var offset = 0
                while offset < bytes.count {
                    let written = bytes.withUnsafeBytes {
                        Foundation.write(2, $0.baseAddress! + offset, $0.count - offset)
                    }
                    if written > 0 {
                        offset += written
                    } else if written < 0, errno == EINTR {
                        continue
                    } else {
                        return
                    }
                }
            }
        }
    }()
}
