#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds loopback ports nobody is listening on, so tests never assume a fixed port is free.
///
/// The port is found by binding port 0 on 127.0.0.1, reading back what the kernel chose and closing the socket.
/// Another process may grab the port between this call and its use; callers that start servers (such as
/// ``MosquittoBroker``) retry with a fresh port when the bind fails.
public enum FreePort {
    /// A loopback TCP port that was free at the time of the call.
    public static func tcp() throws -> Int {
        try find(socketType: Int32(SOCK_STREAM.rawValue))
    }

    /// A loopback UDP port that was free at the time of the call.
    public static func udp() throws -> Int {
        try find(socketType: Int32(SOCK_DGRAM.rawValue))
    }

    private static func find(socketType: Int32) throws -> Int {
        let descriptor = socket(AF_INET, socketType, 0)
        guard descriptor >= 0 else { throw FreePortError.socketFailed(errno: errno) }
        defer { close(descriptor) }

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw FreePortError.bindFailed(errno: errno) }

        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(descriptor, $0, &length)
            }
        }
        guard named == 0 else { throw FreePortError.bindFailed(errno: errno) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Why ``FreePort`` could not find a port.
public struct FreePortError: Error, CustomStringConvertible {
    public let description: String

    static func socketFailed(errno: Int32) -> Self {
        Self(description: "socket() failed with errno \(errno)")
    }

    static func bindFailed(errno: Int32) -> Self {
        Self(description: "binding 127.0.0.1:0 failed with errno \(errno)")
    }
}
