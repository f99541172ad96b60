import GatewayCore
import Logging
import NIOCore
import SNBridgeLogging
import SessionStore

/// Everything `snbridge run` is configured with: one YAML file, overridden by command-line flags.
///
/// Every key is optional; an empty file (or none) gives a gateway on UDP port 1884 bridging to
/// `mqtt://localhost:1883`. README.md documents every key; `snbridge.sample.yaml` shows them all.
public struct SNBridgeConfiguration: Sendable {
    /// The broker, gateway and UDP settings (`broker.*`, `gateway.*`, `udp.*`).
    public var gateway: GatewayConfiguration
    /// Serial ports opened at start (`serial.ports`), each retried while absent (`serial.reopen_interval`).
    public var serialPorts: [SerialPortSettings]
    /// How often an absent or unplugged configured port is tried again (`serial.reopen_interval`).
    public var serialReopenInterval: TimeAmount
    /// How long a busy serial port's next read may wait so that ports are read in batches (`serial.read_batching`);
    /// zero reads every port as soon as it has data. See ``SerialReadPacer``.
    public var serialReadBatching: TimeAmount = SNBridgeConfiguration.defaultSerialReadBatching
    /// How long a serial device's MQTT-SN sessions outlive a link loss while its port stays open
    /// (`serial.session_grace`); nil: each port's `link_keepalive`, zero: lost at once. See ``SerialSessionGrace``.
    public var serialSessionGrace: TimeAmount?
    /// The least severe log level printed (`log.level`). Defaults to `info`.
    public var logLevel: Logger.Level
    /// How log lines are written (`log.format`); `nil` (`auto`) picks ``LogFormat/journal`` under systemd's
    /// journal and ``LogFormat/text`` otherwise.
    public var logFormat: LogFormat?
    /// USB-serial discovery through udev (`discovery.*`).
    public var discovery = DiscoverySettings()
    /// Status topics on the broker (`status.*`).
    public var status = StatusSettings()
    /// The durable session store (`state.*`): on by default under `/var/lib/snbridge`.
    public var state = SessionStoreConfiguration()
    /// The monitoring HTTP listener (`http.*`).
    public var http = HTTPSettings()

    public init(
        gateway: GatewayConfiguration = SNBridgeConfiguration.defaultGateway,
        serialPorts: [SerialPortSettings] = [],
        serialReopenInterval: TimeAmount = .seconds(2),
        logLevel: Logger.Level = .info
    ) {
        self.gateway = gateway
        self.serialPorts = serialPorts
        self.serialReopenInterval = serialReopenInterval
        self.logLevel = logLevel
    }

    /// 25 ms: 32 boards streaming at 115200 baud cost under 10% of a core (BENCHMARKS.md measures 0 to 25 ms);
    /// a frame waits at most this long, and only when it follows another within it, about what a USB-serial
    /// adapter's own latency timer adds (FTDI's default is 16 ms).
    public static let defaultSerialReadBatching = TimeAmount.milliseconds(25)

    /// The gateway defaults as `snbridge` documents them: broker `mqtt://localhost:1883`, UDP `0.0.0.0:1884` and
    /// `[::]:1884`.
    public static var defaultGateway: GatewayConfiguration {
        var gateway = GatewayConfiguration()
        gateway.upstream.host = "localhost"
        return gateway
    }
}
