import Foundation

/// Two pseudo-terminals joined by `socat`, standing in for a USB-serial cable: the bridge opens one end by path,
/// a simulated device the other. Stopping socat is an unplug (both ends hang up); starting it again with the same
/// paths is a replug.
///
/// ```
///  snbridge --open--> bridgeEnd (pty) <== socat ==> deviceEnd (pty) <--open-- snbridge-simdevice
/// ```
public final class SerialCable: @unchecked Sendable {
    /// The path the bridge opens.
    public let bridgeEnd: String
    /// The path the simulated device opens.
    public let deviceEnd: String
    private let lock = NSLock()
    private var socat: ChildProcess?

    /// Makes the two link paths inside `directory` and plugs the cable in.
    public init(in directory: URL, name: String = "tty") async throws {
        self.bridgeEnd = directory.appendingPathComponent("\(name)-bridge").path
        self.deviceEnd = directory.appendingPathComponent("\(name)-device").path
        try await plugIn()
    }

    /// Starts socat and returns once both ends exist.
    public func plugIn(timeout: Duration = .seconds(10)) async throws {
        let process = try ChildProcess(
            executable: "/usr/bin/socat",
            arguments: [
                "-d", "-d",
                "pty,raw,echo=0,link=\(bridgeEnd)",
                "pty,raw,echo=0,link=\(deviceEnd)",
            ]
        )
        lock.withLock { socat = process }
        // socat logs "starting data transfer loop" once both ptys exist and their links are made.
        try await process.waitForLine(timeout: timeout) { $0.contains("starting data transfer loop") }
    }

    /// Stops socat, by its pid: both ends hang up, as when a board is unplugged.
    public func unplug() async {
        let process = lock.withLock { () -> ChildProcess? in
            defer { socat = nil }
            return socat
        }
        await process?.terminate()
    }

    deinit {
        if let socat { Task { await socat.terminate() } }
    }
}
