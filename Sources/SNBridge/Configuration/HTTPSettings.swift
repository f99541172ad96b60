import GatewayCore

/// The monitoring HTTP listener (`http.*`): `/metrics`, `/healthz`, `/readyz`, `/api/...` and the status page.
public struct HTTPSettings: Sendable, Hashable {
    /// The default listener, `127.0.0.1:9184`: loopback only, because the page and the API show device details.
    public static let defaultListen = HostAndPort("127.0.0.1:9184", defaultPort: defaultPort)!
    /// The port a `http.listen` without one gets.
    public static let defaultPort = 9184

    /// `http.listen`: where to listen; `nil` (`none` in YAML) disables the listener.
    public var listen: HostAndPort?
    /// `http.per_device_metrics`: also export per-device series on `/metrics` (one label value per device, so off
    /// by default: a bridge with thousands of sensors would otherwise multiply the series a Prometheus stores).
    public var perDeviceMetrics: Bool

    public init(listen: HostAndPort? = HTTPSettings.defaultListen, perDeviceMetrics: Bool = false) {
        self.listen = listen
        self.perDeviceMetrics = perDeviceMetrics
    }
}
