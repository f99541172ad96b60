import Foundation

/// Reads a /proc file whole. `String(contentsOfFile:)` trusts the size `stat` reports, which is 0 for /proc files,
/// and returns only the first page: with a thousand sockets open, /proc/net/udp is hundreds of kilobytes and the
/// bridge's line was beyond it.
enum ProcFile {
    static func read(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.readToEnd() else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
