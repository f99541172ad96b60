import Foundation
import GatewayCore
import Metrics
import NIOConcurrencyHelpers
import Prometheus

/// The Prometheus side of the bridge: the registry swift-metrics reports into (``GatewayMetrics``' counters and
/// histograms) plus the gauges sampled at every scrape (sessions by state, devices by link state, queue depths,
/// the broker connection, open descriptors, and per-device series when `http.per_device_metrics` is on).
public final class BridgeMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let perDevice: Bool
    private let sessions: [GatewaySessionSnapshot.State: Prometheus.Gauge]
    private let awaitingUpstream: Prometheus.Gauge
    private let devicesByState: [String: Prometheus.Gauge]
    private let devicesOnline: Prometheus.Gauge
    private let upstreamConnected: Prometheus.Gauge
    private let downlinkQueued: Prometheus.Gauge
    private let sleepBuffered: Prometheus.Gauge
    private let upstreamInFlight: Prometheus.Gauge
    private let openDescriptors: Prometheus.Gauge
    private let uptime: Prometheus.Gauge
    private let started = Date()
    /// Per-device gauges by device id and series name, created as devices appear.
    private let deviceGauges = NIOLockedValueBox<[String: [String: Prometheus.Gauge]]>([:])

    /// The link states `snbridge_devices` is labelled with, always all present so that a state with no device reads 0.
    static let deviceStates = ["present", "opening", "linked", "connected", "asleep", "lost", "error"]

    /// A registry that swift-metrics reports into. Bootstrap the metrics system once per process, before the
    /// gateway is created: its counters are made when it is.
    public static func bootstrapMetricsSystem() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }

    public init(registry: PrometheusCollectorRegistry, perDevice: Bool) {
        self.registry = registry
        self.perDevice = perDevice
        var sessions: [GatewaySessionSnapshot.State: Prometheus.Gauge] = [:]
        for state in [GatewaySessionSnapshot.State.connecting, .connected, .asleep, .awake] {
            sessions[state] = Self.gauge(
                in: registry,
                name: "snbridge_sessions",
                labels: [("state", state.rawValue)],
                help: "MQTT-SN client sessions by state"
            )
        }
        self.sessions = sessions
        self.awaitingUpstream = Self.gauge(
            in: registry,
            name: "snbridge_sessions_awaiting_upstream",
            help: "Sessions waiting for the broker to accept their upstream connection"
        )
        var devices: [String: Prometheus.Gauge] = [:]
        for state in Self.deviceStates {
            devices[state] = Self.gauge(
                in: registry,
                name: "snbridge_devices",
                labels: [("state", state)],
                help: "Devices by link state"
            )
        }
        self.devicesByState = devices
        self.devicesOnline = Self.gauge(
            in: registry,
            name: "snbridge_devices_online",
            help: "Devices whose MQTT-SN client is connected or asleep within its sleep duration"
        )
        self.upstreamConnected = Self.gauge(
            in: registry,
            name: "snbridge_upstream_connected",
            help: "1 while the bridge's own broker session is connected"
        )
        self.downlinkQueued = Self.gauge(
            in: registry,
            name: "snbridge_downlink_queued_messages",
            help: "Broker messages waiting for delivery to awake clients"
        )
        self.sleepBuffered = Self.gauge(
            in: registry,
            name: "snbridge_sleep_buffered_messages",
            help: "Broker messages buffered for sleeping clients"
        )
        self.upstreamInFlight = Self.gauge(
            in: registry,
            name: "snbridge_upstream_inflight_messages",
            help: "Client QoS 1/2 messages published upstream and not yet acknowledged"
        )
        self.openDescriptors = Self.gauge(
            in: registry,
            name: "snbridge_open_file_descriptors",
            help: "File descriptors the process has open"
        )
        self.uptime = Self.gauge(
            in: registry,
            name: "snbridge_uptime_seconds",
            help: "Seconds since the bridge started"
        )
        Self.gauge(
            in: registry,
            name: "snbridge_build_info",
            labels: [("version", SNBridgeVersion.string)],
            help: "The running snbridge version"
        ).set(1.0)
    }

    /// Sets the gauges from the gateway's and the registry's kept gauges: no walk over sessions or devices.
    func update(gateway: GatewayObservation, devices: DeviceTally, brokerConnected: Bool) {
        for (state, gauge) in sessions { gauge.set(Double(gateway.sessionsByState[state] ?? 0)) }
        awaitingUpstream.set(Double(gateway.awaitingUpstream))
        downlinkQueued.set(Double(gateway.downlinkQueued))
        sleepBuffered.set(Double(gateway.sleepBuffered))
        upstreamInFlight.set(Double(gateway.upstreamInFlight))
        upstreamConnected.set(brokerConnected ? 1.0 : 0.0)
        for (state, gauge) in devicesByState { gauge.set(Double(devices.devices(in: state))) }
        devicesOnline.set(Double(devices.online))
        openDescriptors.set(Double(Self.openDescriptorCount()))
        uptime.set(Date().timeIntervalSince(started))
    }

    /// The metrics in Prometheus text format.
    func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }

    /// Whether per-device series are wanted (`http.per_device_metrics`); they need the whole device list.
    var wantsPerDeviceSeries: Bool { perDevice }

    /// Sets the per-device series (`http.per_device_metrics`) from the device list.
    func updatePerDevice(_ devices: [DeviceRecord]) {
        deviceGauges.withLockedValue { gauges in
            for device in devices {
                let values: [(String, String, Double)] = [
                    ("snbridge_device_online", "1 while the device is online", device.online == true ? 1 : 0),
                    (
                        "snbridge_device_frames_in", "Frames received from the device",
                        Double(device.counters?.framesIn ?? 0)
                    ),
                    (
                        "snbridge_device_frames_out", "Frames sent to the device",
                        Double(device.counters?.framesOut ?? 0)
                    ),
                    (
                        "snbridge_device_messages_in", "MQTT-SN messages from the device",
                        Double(device.counters?.messagesIn ?? 0)
                    ),
                    (
                        "snbridge_device_messages_out", "MQTT-SN messages to the device",
                        Double(device.counters?.messagesOut ?? 0)
                    ),
                    (
                        "snbridge_device_relinks", "Times the device's link came up again",
                        Double(device.counters?.relinks ?? 0)
                    ),
                ]
                for (name, help, value) in values {
                    let gauge =
                        gauges[device.id]?[name]
                        ?? Self.gauge(in: registry, name: name, labels: [("device", device.id)], help: help)
                    gauges[device.id, default: [:]][name] = gauge
                    gauge.set(value)
                }
            }
        }
    }

    private static func gauge(
        in registry: PrometheusCollectorRegistry,
        name: String,
        labels: [(String, String)] = [],
        help: String
    ) -> Prometheus.Gauge {
        registry.makeGauge(
            descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help),
            labels: labels
        )
    }

    /// The descriptors the process has open (Linux); 0 where that cannot be told.
    ///
    /// Linux 6.2 and later report the count as the size of `/proc/self/fd`, which costs one `stat`; listing the
    /// directory instead takes milliseconds with 10,000 upstream connections open, so it is the fallback only.
    static func openDescriptorCount() -> Int {
        var info = stat()
        if stat("/proc/self/fd", &info) == 0, info.st_size > 0 {
            return Int(info.st_size)
        }
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            // Every entry but "." and ".." is a descriptor; the names are not needed.
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { $0.first == UInt8(ascii: ".") }
            if !isDot { count += 1 }
        }
        // The directory stream itself is one of them.
        return max(0, count - 1)
    }
}
