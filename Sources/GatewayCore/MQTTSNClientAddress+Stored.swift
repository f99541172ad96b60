import MQTTSNTransport
import NIOCore

extension MQTTSNClientAddress {
    /// The address as the session store keeps it (``SessionRecord/lastAddress``): `udp:192.0.2.7:50123`,
    /// `udp:[2001:db8::7]:50123` or `serial:/dev/ttyUSB0`; `nil` for forwarded nodes, which are found again through
    /// their forwarder's next message.
    var storedForm: String? {
        self.storedForm(authenticated: false)
    }

    /// The stored form of an address whose client a DTLS listener authenticated: `dtls:192.0.2.7:50123`. A restart
    /// ends every DTLS association, so such a session is restored unreachable and only its client, through a new
    /// association, continues it; a plain datagram from that address is never taken for it.
    func storedForm(authenticated: Bool) -> String? {
        switch self {
        case .udp(let address):
            guard let ip = address.ipAddress, let port = address.port else { return nil }
            let scheme = authenticated ? "dtls" : "udp"
            if case .v6 = address { return "\(scheme):[\(ip)]:\(port)" }
            return "\(scheme):\(ip):\(port)"
        case .serial(let device, nil):
            return "serial:\(device)"
        case .udpForwarded, .serial:
            return nil
        }
    }

    /// Whether `text` is the stored form of a DTLS-authenticated address (``storedForm(authenticated:)``).
    static func isAuthenticated(storedForm text: String) -> Bool {
        text.hasPrefix("dtls:")
    }

    /// The address from its ``storedForm`` (or ``storedForm(authenticated:)``), or `nil` when the text is not one.
    init?(storedForm text: String) {
        if text.hasPrefix("serial:") {
            let device = String(text.dropFirst("serial:".count))
            guard !device.isEmpty else { return nil }
            self = .serial(device: device, wirelessNodeID: nil)
            return
        }
        guard let colon = text.firstIndex(of: ":"), ["udp", "dtls"].contains(text[..<colon]) else { return nil }
        let rest = text[text.index(after: colon)...]
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
