import GatewayCore

extension SNBridgeConfiguration {
    mutating func readHTTP(_ section: ConfigurationReader.Cursor, with reader: ConfigurationReader) {
        reader.expectMapping(section, allowed: ["listen", "per_device_metrics"])
        let listenKey = section.key("listen")
        if let text = reader.string(listenKey) {
            if text == "none" {
                http.listen = nil
            } else if let address = HostAndPort(text, defaultPort: HTTPSettings.defaultPort) {
                http.listen = address
            } else {
                reader.report(listenKey.path, "must be host:port (e.g. 127.0.0.1:9184) or none, got '\(text)'")
            }
        }
        if let perDevice = reader.bool(section.key("per_device_metrics")) { http.perDeviceMetrics = perDevice }
    }
}
