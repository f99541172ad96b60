import Glibc

/// A datagram socket standing in for systemd's notification socket.
struct DatagramReceiver {
    let fd: Int32
    let path: String

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw ReceiverError(description: "socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        let isAbstract = bytes.first == UInt8(ascii: "@")
        if isAbstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout.offset(of: \sockaddr_un.sun_path)! + bytes.count + (isAbstract ? 0 : 1))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard result == 0 else { throw ReceiverError(description: "bind \(path): errno \(errno)") }
    }

    /// The next datagram, waiting at most five seconds for it. Checks readiness without blocking, so that waiting
    /// does not hold one of the few threads of the concurrency pool that the code under test needs.
    func receive() async throws -> String {
        let deadline = ContinuousClock.now + .seconds(5)
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while poll(&descriptor, 1, 0) != 1 {
            guard ContinuousClock.now < deadline else { throw ReceiverError(description: "no datagram within 5 s") }
            try await Task.sleep(for: .milliseconds(5))
        }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count >= 0 else { throw ReceiverError(description: "recv: errno \(errno)") }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    func close() {
        _ = Glibc.close(fd)
        if !path.hasPrefix("@") { unlink(path) }
    }
}
