import NIOCore
import Testing

@testable import GatewayCore

@Suite("Gateway configuration")
struct GatewayConfigurationTests {
    @Test("The defaults are valid")
    func defaultsValid() {
        #expect(GatewayConfiguration().validate().isEmpty)
    }

    @Test("Each invalid field is reported with its YAML key path")
    func invalidFields() {
        let table: [((inout GatewayConfiguration) -> Void, String)] = [
            ({ (c: inout GatewayConfiguration) in c.maxClients = 0 }, "gateway.max_clients must be at least 1"),
            (
                { (c: inout GatewayConfiguration) in c.maxTopicsPerClient = 0 },
                "gateway.max_topics_per_client must be at least 1"
            ),
            ({ (c: inout GatewayConfiguration) in c.retryCount = -1 }, "gateway.retry_count must not be negative"),
            ({ (c: inout GatewayConfiguration) in c.sleepBufferSize = 0 }, "gateway.sleep_buffer must be at least 1"),
            (
                { (c: inout GatewayConfiguration) in c.rateLimit = .init(messagesPerSecond: 0, burst: 1) },
                "gateway.rate_limit.messages_per_second must be a positive number"
            ),
            (
                { (c: inout GatewayConfiguration) in c.rateLimit = .init(messagesPerSecond: 5, burst: 0) },
                "gateway.rate_limit.burst must be at least 1"
            ),
            (
                { (c: inout GatewayConfiguration) in c.maxMessageSize = 8 },
                "gateway.max_message_size must be between 32 and 65535"
            ),
            (
                { (c: inout GatewayConfiguration) in c.predefinedTopics = [0: "a"] },
                "gateway.predefined_topics.0 must be a topic id between 1 and 65534"
            ),
            (
                { (c: inout GatewayConfiguration) in c.predefinedTopics = [3: "a/+"] },
                "gateway.predefined_topics.3 must be a topic name without wildcards"
            ),
            (
                { (c: inout GatewayConfiguration) in c.clients = ["dev": .init(password: "x")] },
                "gateway.clients.dev.password needs gateway.clients.dev.username"
            ),
            (
                { (c: inout GatewayConfiguration) in c.qosMinusOne.allowedSources = ["10.0.0.0/33"] },
                "gateway.qos_minus_one.allowed_sources[0] must be an IP address or CIDR prefix, not '10.0.0.0/33'"
            ),
            (
                { (c: inout GatewayConfiguration) in c.udpListeners = ["0.0.0.0:99999"] },
                "udp.listeners[0] must be host:port, not '0.0.0.0:99999'"
            ),
            (
                { (c: inout GatewayConfiguration) in
                    c.advertise = .init(interval: .zero, addresses: ["255.255.255.255:1884"])
                }, "udp.advertise.interval must be between 1 and 65535 seconds"
            ),
            (
                { (c: inout GatewayConfiguration) in c.upstream.port = 0 },
                "broker.url must have a port between 1 and 65535"
            ),
            (
                { (c: inout GatewayConfiguration) in c.upstream.tls = .init(certificateFile: "c.pem") },
                "broker.tls.key_file must be given together with broker.tls.cert_file"
            ),
        ]
        for (change, message) in table {
            var configuration = GatewayConfiguration()
            change(&configuration)
            #expect(configuration.validate().map(\.description) == [message])
        }
    }

    @Test(
        "Listener addresses",
        arguments: [
            ("0.0.0.0:1884", "0.0.0.0", 1884), ("[::]:1885", "::", 1885), ("127.0.0.1", "127.0.0.1", 1884),
            ("::1", "::1", 1884),
        ]
    )
    func hostAndPort(text: String, host: String, port: Int) {
        let parsed = HostAndPort(text, defaultPort: 1884)
        #expect(parsed?.host == host)
        #expect(parsed?.port == port)
    }

    @Test(
        "QoS -1 source prefixes",
        arguments: [
            ("192.168.1.0/24", "192.168.1.77", true), ("192.168.1.0/24", "192.168.2.1", false),
            ("10.1.2.3", "10.1.2.3", true), ("fd00::/8", "fd12::1", true), ("fd00::/8", "fe80::1", false),
            ("127.0.0.0/8", "::ffff:127.0.0.1", true),
        ]
    )
    func sourcePrefix(prefix: String, address: String, allowed: Bool) throws {
        let socketAddress = try SocketAddress(ipAddress: address, port: 1)
        #expect(SourceAddressPrefix(prefix)?.contains(socketAddress) == allowed)
    }
}
