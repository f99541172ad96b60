import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IP prefix such as `192.168.1.0/24` or `fd00::/8` (a bare address is a full-length prefix), used to allow
/// QoS -1 publishes from some sources only.
struct SourceAddressPrefix: Hashable, Sendable {
    private var network: [UInt8]
    private var prefixLength: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = Self.addressBytes(String(parts[0])) else {
            return nil
        }
        let bits = address.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...bits).contains(length) else {
                return nil
            }
            self.prefixLength = length
        } else {
            self.prefixLength = bits
        }
        self.network = address
    }

    /// Whether `address` lies within the prefix. IPv4 prefixes also match IPv4-mapped IPv6 addresses
    /// (`::ffff:a.b.c.d`), which is how a dual-stack socket reports IPv4 peers.
    func contains(_ address: SocketAddress) -> Bool {
        guard var bytes = Self.addressBytes(address) else {
            return false
        }
        if self.network.count == 4, bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }),
            bytes[10] == 0xFF, bytes[11] == 0xFF
        {
            bytes = Array(bytes[12...])
        }
        guard bytes.count == self.network.count else {
            return false
        }
        var remaining = self.prefixLength
        for index in 0..<bytes.count where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if bytes[index] & mask != self.network[index] & mask {
                return false
            }
            remaining -= 8
        }
        return true
    }

    private static func addressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// The address octets of a UDP peer (4 or 16), `nil` for a Unix socket.
    static func addressBytes(_ address: SocketAddress) -> [UInt8]? {
        switch address {
        case .v4(let v4):
            var raw = v4.address.sin_addr
            return withUnsafeBytes(of: &raw) { Array($0) }
        case .v6(let v6):
            var raw = v6.address.sin6_addr
            return withUnsafeBytes(of: &raw) { Array($0) }
        case .unixDomainSocket:
            return nil
        }
    }
}
