/// A `host:port` pair as written in configuration: `0.0.0.0:1884`, `[::]:1884`, `gateway.local:1884`, or a bare
/// host that takes the default port.
public struct HostAndPort: Hashable, Sendable {
    public var host: String
    public var port: Int

    public init?(_ text: String, defaultPort: Int) {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                return nil
            }
            self.host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty {
                self.port = defaultPort
            } else if rest.hasPrefix(":"), let port = Int(rest.dropFirst()) {
                self.port = port
            } else {
                return nil
            }
        } else if let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon {
            self.host = String(text[..<colon])
            guard let port = Int(text[text.index(after: colon)...]) else {
                return nil
            }
            self.port = port
        } else if text.contains(":") {
            // A bare IPv6 address without brackets and without a port.
            self.host = text
            self.port = defaultPort
        } else {
            self.host = text
            self.port = defaultPort
        }
        guard !self.host.isEmpty, (0...65_535).contains(self.port) else {
            return nil
        }
    }
}
