import Logging
import MQTTClient
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Makes the upstream sessions of aggregating mode (`gateway.mode: aggregating`): every client's session is a share
/// of one ``AggregatedUpstreamPool`` of `gateway.aggregating.connections` broker sessions, connected when the first
/// client needs them.
///
/// The shared sessions are `<broker.client_id_prefix>snbridge-<host>-<gateway id>-<n>` (n from 1), clean start,
/// with the broker credentials of `broker.*` (per-client credentials do not apply: the broker sees only the
/// gateway), reconnecting with `broker.reconnect`'s backoff.
public struct AggregatingUpstreamFactory: UpstreamSessionFactory {
    private let pool: AggregatedUpstreamPool?
    /// Why no session can work (unusable TLS files): every client's connect fails with it, never plain TCP.
    private let setupError: UpstreamConnectError?
    private let eventLoop: any EventLoop
    private let clientIDPrefix: String

    public init(
        configuration: GatewayConfiguration,
        eventLoop: any EventLoop,
        logger: Logger
    ) {
        let upstream = configuration.upstream
        self.eventLoop = eventLoop
        self.clientIDPrefix = upstream.clientIDPrefix
        let tls: MQTTTLSConfiguration?
        do {
            tls = try upstream.mqttTLSConfiguration()
        } catch {
            self.setupError = .refused("TLS configuration unusable: \(error)")
            self.pool = nil
            return
        }
        self.setupError = nil
        let host = Self.hostName()
        let configurations = (1...max(configuration.aggregating.connections, 1)).map { index in
            upstream.mqttClientConfiguration(
                tls: tls,
                session: UpstreamSessionParameters(
                    clientID: "\(upstream.clientIDPrefix)snbridge-\(host)-\(configuration.gatewayID)-\(index)",
                    cleanSession: true,
                    keepAlive: upstream.keepAlive,
                    username: upstream.username,
                    password: upstream.password,
                    reconnects: true,
                    receiveMaximum: 65_535
                ),
                maximumPacketSize: max(configuration.maxMessageSize * 2 + 1024, 4096),
                detectsPartition: true,
                // A shared session carries every client's QoS 1/2 PUBLISHes: a device's 32 would make 25 devices
                // with 8 outstanding each wait for each other. The broker's Receive Maximum (MQTT 5) or TCP's
                // backpressure (then PUBACK 0x01 to the devices) bounds it.
                maximumInFlight: Self.sharedMaximumInFlight
            )
        }
        self.pool = AggregatedUpstreamPool(
            configurations: configurations,
            parkedLimit: configuration.downlinkQueueSize,
            clientProperty: configuration.aggregating.clientProperty,
            backoff: upstream.reconnectBackoff,
            connectTimeout: upstream.connectTimeout,
            eventLoop: eventLoop,
            logger: logger
        )
    }

    /// How many QoS 1/2 PUBLISHes a shared session may have awaiting the broker's answer: a quarter of the packet
    /// ids, so that the first session always has ids left for its SUBSCRIBE and UNSUBSCRIBE requests.
    static let sharedMaximumInFlight = 16_384

    public func makeSession(parameters: UpstreamSessionParameters, events: UpstreamSessionEvents) -> any UpstreamSession
    {
        guard let pool = self.pool else {
            return MQTTClientUpstream(
                failing: self.setupError ?? .refused("no shared session"),
                eventLoop: self.eventLoop
            )
        }
        // The broker sees the gateway's client ids only; the client's own goes with its messages.
        let clientID =
            parameters.clientID.hasPrefix(self.clientIDPrefix)
            ? String(parameters.clientID.dropFirst(self.clientIDPrefix.count)) : parameters.clientID
        return AggregatedUpstreamSession(
            pool: pool,
            clientID: clientID,
            cleanSession: parameters.cleanSession,
            will: parameters.will,
            events: events
        )
    }

    public func shutdown() async {
        guard let pool = self.pool else { return }
        _ = try? await pool.eventLoop.flatSubmit { pool.shutdown() }.get()
    }

    /// The short host name (`gethostname`, not `ProcessInfo.hostName`, which may wait for DNS).
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "host" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let short = name.split(separator: ".").first.map(String.init) ?? ""
        return short.isEmpty ? "host" : short
    }
}
