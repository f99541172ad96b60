import MQTTSNTransport
import NIOCore

extension MQTTSNClientAddress {
    /// The address as the session store keeps it (``SessionRecord/lastAddress``): `udp:192.0.2.7:50123`,
    /// `udp:[2001:db8::7]:50123` or `serial:/dev/ttyUSB0`; `nil` for forwarded nodes, which are found again through
    /// their forwarder's next message.
    var storedForm: String? {
        switch self {
        case .udp(let address):
            guard let ip = address.ipAddress, let port = address.port else { return nil }
            if case .v6 = address { return "udp:[\(ip)]:\(port)" }
            return "udp:\(ip):\(port)"
        case .serial(let device, nil):
            return "serial:\(device)"
        case .udpForwarded, .serial:
            return nil
        }
    }

    /// The address from its ``storedForm``, or `nil` when the text is not one.
    init?(storedForm text: String) {
        if text.hasPrefix("serial:") {
            let device = String(text.dropFirst("serial:".count))
            guard !device.isEmpty else { return nil }
            self = .serial(device: device, wirelessNodeID: nil)
            return
        }
        guard text.hasPrefix("udp:") else { return nil }
        let rest = text.dropFirst("udp:".count)
        let host: Substring
        let portText: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]"), rest[rest.index(after: close)...].hasPrefix(":") else {
                return nil
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            portText = rest[rest.index(close, offsetBy: 2)...]
        } else {
            guard let colon = rest.lastIndex(of: ":") else { return nil }
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        guard let port = Int(portText), (0...65_535).contains(port),
            let address = try? SocketAddress(ipAddress: String(host), port: port)
        else { return nil }
        self = .udp(address)
    }
}
