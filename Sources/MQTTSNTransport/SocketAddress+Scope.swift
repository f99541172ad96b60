import NIOCore

extension SocketAddress {
    /// Whether this is a loopback address (`127.0.0.0/8` or `::1`).
    var isLoopback: Bool {
        switch self {
        case .v4(let address):
            return UInt32(bigEndian: address.address.sin_addr.s_addr) >> 24 == 127
        case .v6(let address):
            var ip = address.address.sin6_addr
            return withUnsafeBytes(of: &ip) { bytes in
                bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1
            }
        case .unixDomainSocket:
            return false
        }
    }

    /// Whether this is the wildcard address (`0.0.0.0` or `::`), bound to every interface.
    var isWildcard: Bool {
        switch self {
        case .v4(let address):
            return address.address.sin_addr.s_addr == 0
        case .v6(let address):
            var ip = address.address.sin6_addr
            return withUnsafeBytes(of: &ip) { bytes in bytes.allSatisfy { $0 == 0 } }
        case .unixDomainSocket:
            return false
        }
    }
}
