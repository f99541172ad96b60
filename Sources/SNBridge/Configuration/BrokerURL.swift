/// Where the upstream broker is, from `mqtt://host:port` (plain TCP) or `mqtts://host:port` (TLS).
///
/// `tcp://` and `ssl://` are accepted as the aliases other MQTT tools use. IPv6 literals go in brackets:
/// `mqtt://[::1]:1883`. The port defaults to 1883, or 8883 with TLS.
public struct BrokerURL: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var usesTLS: Bool

    public init(host: String, port: Int, usesTLS: Bool) {
        self.host = host
        self.port = port
        self.usesTLS = usesTLS
    }

    /// Parses a broker URL, or returns why it is not one.
    public static func parse(_ text: String) -> Result<BrokerURL, ConfigurationError> {
        func failure(_ problem: String) -> Result<BrokerURL, ConfigurationError> {
            .failure(ConfigurationError(key: "", problem: problem))
        }
        guard let schemeEnd = text.range(of: "://") else {
            return failure("expected mqtt://host[:port] or mqtts://host[:port], got '\(text)'")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        let usesTLS: Bool
        switch scheme {
        case "mqtt", "tcp": usesTLS = false
        case "mqtts", "ssl", "tls": usesTLS = true
        default: return failure("unsupported scheme '\(scheme)' (use mqtt:// or mqtts://)")
        }
        var rest = text[schemeEnd.upperBound...]
        if rest.prefix(while: { $0 != "/" }).contains("@") {
            // Not echoed: the text holds a password.
            return failure(
                "must not carry a user or password (user@host): set broker.username and broker.password_file instead"
            )
        }
        if let slash = rest.firstIndex(of: "/") {
            guard rest[slash...].allSatisfy({ $0 == "/" }) else {
                return failure("a broker URL has no path, got '\(text)'")
            }
            rest = rest[..<slash]
        }
        let host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return failure("unterminated IPv6 address in '\(text)'") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return failure("unexpected text after IPv6 address in '\(text)'") }
                portText = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty else { return failure("missing host in '\(text)'") }
        var port = usesTLS ? 8883 : 1883
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                return failure("port must be 1-65535, got '\(portText)'")
            }
            port = value
        }
        return .success(BrokerURL(host: String(host), port: port, usesTLS: usesTLS))
    }

    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "\(usesTLS ? "mqtts" : "mqtt")://\(hostPart):\(port)"
    }
}
