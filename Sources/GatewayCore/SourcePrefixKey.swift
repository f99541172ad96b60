import NIOCore

/// A UDP source reduced to its prefix (`gateway.source_limits.prefix_length_v4` / `_v6`), the key under which new
/// sessions are rate limited and held sessions counted. IPv4-mapped IPv6 addresses count as IPv4.
struct SourcePrefixKey: Hashable, Sendable {
    private var bytes: [UInt8]

    init?(_ address: SocketAddress, prefixLengthV4: Int, prefixLengthV6: Int) {
        guard var bytes = SourceAddressPrefix.addressBytes(address) else {
            return nil
        }
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            bytes = Array(bytes[12...])
        }
        var remaining = bytes.count == 4 ? prefixLengthV4 : prefixLengthV6
        for index in bytes.indices {
            let mask: UInt8 = remaining >= 8 ? 0xFF : (remaining <= 0 ? 0 : ~(0xFF >> UInt8(remaining)))
            bytes[index] &= mask
            remaining -= 8
        }
        self.bytes = bytes
    }
}
