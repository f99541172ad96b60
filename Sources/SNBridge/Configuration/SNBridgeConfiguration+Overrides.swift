extension SNBridgeConfiguration {
    /// Moves every UDP listener to `port`, keeping its host.
    mutating func overrideUDPPort(_ port: Int) {
        gateway.udpListeners = gateway.udpListeners.map { listener in
            let host: Substring
            if listener.hasPrefix("["), let close = listener.firstIndex(of: "]") {
                host = listener[...close]
            } else if let colon = listener.lastIndex(of: ":"), listener.firstIndex(of: ":") == colon {
                host = listener[..<colon]
            } else if listener.contains(":") {
                return "[\(listener)]:\(port)"
            } else {
                host = Substring(listener)
            }
            return "\(host):\(port)"
        }
    }
}
