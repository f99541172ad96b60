/// What `/healthz` and `/readyz` answer: 200 with `"status":"ok"`, or 503 with the reason.
struct HealthReport: Sendable, Hashable, Codable {
    enum Broker: String, Sendable, Hashable, Codable {
        case connected
        case disconnected
        /// `status.enabled: false`: the bridge has no session of its own to watch the broker through.
        case unmonitored = "not_monitored"
    }

    var status: String
    var reason: String?
    var broker: Broker
    /// UDP listeners bound.
    var listeners: Int
    var ready: Bool

    /// Healthy: started, not stopping, listeners up, broker connected (or not monitored).
    var isHealthy: Bool { reason == nil }

    init(ready: Bool, stopping: Bool, listeners: Int, expectedListeners: Int, broker: Broker) {
        self.ready = ready && !stopping
        self.listeners = listeners
        self.broker = broker
        if stopping {
            reason = "shutting down"
        } else if !ready {
            reason = "starting"
        } else if listeners < expectedListeners {
            reason = "\(expectedListeners - listeners) of \(expectedListeners) UDP listeners not bound"
        } else if broker == .disconnected {
            reason = "broker disconnected"
        } else {
            reason = nil
        }
        status = reason == nil ? "ok" : "unavailable"
    }
}
