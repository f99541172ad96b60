import Metrics

/// The gateway's swift-metrics instruments, created once, plus the same numbers as plain counters
/// (``GatewayStatistics``) so that tests and the CLI can read them without a metrics backend.
///
/// Only used on the gateway's event loop.
struct GatewayMetrics {
    private let clientsConnectedGauge = Gauge(label: "snbridge_clients_connected")
    private let messagesInCounter = Counter(label: "snbridge_messages_in_total")
    private let messagesOutCounter = Counter(label: "snbridge_messages_out_total")
    private let publishedUpstreamCounter = Counter(label: "snbridge_messages_upstream_total")
    private let fromUpstreamCounter = Counter(label: "snbridge_messages_downstream_total")
    private let malformedCounter = Counter(label: "snbridge_messages_malformed_total")
    private let clientsLostCounter = Counter(label: "snbridge_clients_lost_total")
    private let unknownClientCounter = Counter(label: "snbridge_unknown_client_messages_total")
    /// From a client's QoS 1/2 PUBLISH arriving to the broker's acknowledgement of it.
    private let uplinkLatencyTimer = Timer(label: "snbridge_uplink_latency_seconds")
    /// From starting a client's upstream connection to the broker's CONNACK.
    private let upstreamConnectTimer = Timer(label: "snbridge_upstream_connect_seconds")
    private var droppedCounters: [String: Counter] = [:]
    private var rejectedCounters: [String: Counter] = [:]
    private var refusedCounters: [String: Counter] = [:]

    private(set) var statistics = GatewayStatistics()

    mutating func clientsConnected(_ count: Int) {
        self.statistics.clientsConnected = count
        self.clientsConnectedGauge.record(count)
    }

    mutating func messageIn() {
        self.statistics.messagesIn += 1
        self.messagesInCounter.increment()
    }

    mutating func messageOut() {
        self.statistics.messagesOut += 1
        self.messagesOutCounter.increment()
    }

    mutating func publishedUpstream() {
        self.statistics.messagesPublishedUpstream += 1
        self.publishedUpstreamCounter.increment()
    }

    func uplinkAcknowledged(after nanoseconds: Int64) {
        self.uplinkLatencyTimer.recordNanoseconds(nanoseconds)
    }

    func upstreamConnected(after nanoseconds: Int64) {
        self.upstreamConnectTimer.recordNanoseconds(nanoseconds)
    }

    mutating func messageFromUpstream() {
        self.statistics.messagesFromUpstream += 1
        self.fromUpstreamCounter.increment()
    }

    mutating func malformed() {
        self.statistics.malformedMessages += 1
        self.malformedCounter.increment()
    }

    mutating func clientLost() {
        self.statistics.clientsLost += 1
        self.clientsLostCounter.increment()
    }

    mutating func unknownClientMessage() {
        self.statistics.unknownClientMessages += 1
        self.unknownClientCounter.increment()
    }

    mutating func dropped(_ reason: String) {
        self.statistics.droppedMessages[reason, default: 0] += 1
        if let counter = self.droppedCounters[reason] {
            counter.increment()
        } else {
            let counter = Counter(label: "snbridge_messages_dropped_total", dimensions: [("reason", reason)])
            self.droppedCounters[reason] = counter
            counter.increment()
        }
    }

    mutating func rejectedConnection(_ reason: String) {
        self.statistics.rejectedConnections[reason, default: 0] += 1
        if let counter = self.rejectedCounters[reason] {
            counter.increment()
        } else {
            let counter = Counter(label: "snbridge_connections_rejected_total", dimensions: [("reason", reason)])
            self.rejectedCounters[reason] = counter
            counter.increment()
        }
    }

    /// A client message answered with a refusal (a return code or DISCONNECT), by ``ClientRefusalReason``.
    mutating func refused(_ reason: String) {
        self.statistics.refusedMessages[reason, default: 0] += 1
        if let counter = self.refusedCounters[reason] {
            counter.increment()
        } else {
            let counter = Counter(label: "snbridge_messages_refused_total", dimensions: [("reason", reason)])
            self.refusedCounters[reason] = counter
            counter.increment()
        }
    }
}
