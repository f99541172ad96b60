import Foundation

/// Datagrams the kernel dropped on a UDP socket because its receive buffer was full, from the `drops` column of
/// /proc/net/udp (and udp6): loss that happened at the bridge's door, before its code ever saw the datagram.
enum UDPSocketDrops {
    static func count(localPort: Int) -> Int {
        var total = 0
        for table in ["/proc/net/udp", "/proc/net/udp6"] {
            guard let text = ProcFile.read(table) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                // local_address is "HEXADDR:HEXPORT"; drops is the last column.
                guard fields.count > 2, let colon = fields[1].lastIndex(of: ":"),
                    Int(fields[1][fields[1].index(after: colon)...], radix: 16) == localPort,
                    let drops = fields.last.flatMap({ Int($0) })
                else { continue }
                total += drops
            }
        }
        return total
    }
}
