import MQTTSNTransport
import NIOCore

extension MQTTSNClientAddress {
    /// `udp:192.0.2.7:50000`, `udp:[2001:db8::7]:50000`, `serial:/dev/ttyACM0`: for people, unlike NIO's
    /// `[IPv4]192.0.2.7/192.0.2.7:50000`.
    var displayName: String {
        guard case .udp(let address) = self, let ip = address.ipAddress, let port = address.port else {
            return description
        }
        return address.protocol == .inet6 ? "udp:[\(ip)]:\(port)" : "udp:\(ip):\(port)"
    }
}
