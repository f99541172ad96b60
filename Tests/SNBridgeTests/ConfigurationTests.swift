import Foundation
import GatewayCore
import NIOCore
import SNBridgeLogging
import Testing

@testable import SNBridge

@Suite("YAML configuration")
struct ConfigurationTests {
    static var sampleFile: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("snbridge.sample.yaml").path
    }

    @Test("An empty file gives the documented defaults")
    func emptyFileGivesDefaults() throws {
        let configuration = try SNBridgeConfiguration.parse(yaml: "")
        #expect(configuration.gateway.upstream.host == "localhost")
        #expect(configuration.gateway.upstream.port == 1883)
        #expect(configuration.gateway.upstream.tls == nil)
        #expect(configuration.gateway.udpListeners == ["0.0.0.0:1884", "[::]:1884"])
        #expect(configuration.gateway.maxClients == 10_000)
        #expect(configuration.logLevel == .info)
        #expect(configuration.serialReadBatching == .milliseconds(25))
        #expect(configuration.gateway.downlinkQueueSize == 1000)
        #expect(configuration.gateway.upstream.partitionTimeout == .seconds(15))
    }

    @Test("log.format picks text, journal or JSON; auto (the default) leaves it to JOURNAL_STREAM")
    func logFormat() throws {
        #expect(try SNBridgeConfiguration.parse(yaml: "").logFormat == nil)
        #expect(try SNBridgeConfiguration.parse(yaml: "log: { format: auto }").logFormat == nil)
        #expect(try SNBridgeConfiguration.parse(yaml: "log: { format: json }").logFormat == .json)
        #expect(try SNBridgeConfiguration.parse(yaml: "log: { format: journal }").logFormat == .journal)
        #expect(try SNBridgeConfiguration.parse(yaml: "log: { format: text }").logFormat == .text)
    }

    @Test("serial.read_batching sets the read pacing; 0 turns it off")
    func serialReadBatching() throws {
        #expect(
            try SNBridgeConfiguration.parse(yaml: "serial: { read_batching: 12ms }").serialReadBatching
                == .milliseconds(12)
        )
        #expect(try SNBridgeConfiguration.parse(yaml: "serial: { read_batching: 0ms }").serialReadBatching == .zero)
    }

    @Test("serial.session_grace sets how long sessions outlive a link loss; unset, each port's keepalive applies")
    func serialSessionGrace() throws {
        #expect(
            try SNBridgeConfiguration.parse(yaml: "serial: { session_grace: 30s }").serialSessionGrace == .seconds(30)
        )
        #expect(try SNBridgeConfiguration.parse(yaml: "serial: { session_grace: 0s }").serialSessionGrace == .zero)
        #expect(try SNBridgeConfiguration.parse(yaml: "serial: {}").serialSessionGrace == nil)
    }

    @Test("The sample file in the repository is valid and means what its comments say")
    func sampleFileIsValid() throws {
        let configuration = try SNBridgeConfiguration.load(contentsOf: Self.sampleFile)
        // The package installs this file as /etc/snbridge/snbridge.yaml: examples stay commented out.
        #expect(configuration.gateway.predefinedTopics.isEmpty)
        #expect(configuration.gateway.retryInterval == .seconds(10))
        #expect(configuration.gateway.upstream.reconnectBackoff.maximumDelay == .seconds(60))
        #expect(configuration.gateway.qosMinusOne.enabled == false)
    }

    @Test("Every key is read into the gateway configuration")
    func everyKeyIsRead() throws {
        let yaml = """
            broker:
              url: mqtts://broker.example.com
              protocol: "5"
              username: gw
              password: pw
              client_id_prefix: "sn-"
              keepalive: 2m
              connect_timeout: 1500ms
              reconnect: { initial_delay: 250ms, max_delay: 30s }
              partition_timeout: 6s
              tls: { server_name: broker.internal }
            gateway:
              id: 7
              max_clients: 5
              max_topics_per_client: 9
              retry_interval: 2s
              retry_count: 4
              sleep_buffer: 11
              downlink_queue: 250
              mode: aggregating
              aggregating: { connections: 3, client_property: none }
              transport_modes: { serial: transparent }
              max_message_size: 512
              max_client_id_length: 23
              max_topic_name_length: 200
              shutdown_grace_period: 3s
              rate_limit: { messages_per_second: 2.5, burst: 5 }
              predefined_topics: { 1: a/b, 65534: c/d }
              clients:
                boiler:
                  username: b
                  password: p
                  predefined_topics: { 10: plant/boiler }
                  max_packet_size: 128
                vip: { mode: transparent }
                sensor-9: { mode: aggregating }
              qos_minus_one: { enabled: true, allowed_sources: ["10.0.0.0/8", "fd00::/8"] }
            udp:
              listeners: ["127.0.0.1:2000", "[::1]:2001"]
              advertise: { interval: 60s, addresses: ["255.255.255.255:1884"] }
            log: { level: debug }
            """
        let configuration = try SNBridgeConfiguration.parse(yaml: yaml)
        let gateway = configuration.gateway
        #expect(gateway.upstream.host == "broker.example.com")
        #expect(gateway.upstream.port == 8883)
        #expect(gateway.upstream.tls?.serverName == "broker.internal")
        #expect(gateway.upstream.protocolVersion == .v5)
        #expect(gateway.upstream.username == "gw")
        #expect(gateway.upstream.password == "pw")
        #expect(gateway.upstream.clientIDPrefix == "sn-")
        #expect(gateway.upstream.keepAlive == 120)
        #expect(gateway.upstream.connectTimeout == .milliseconds(1500))
        #expect(gateway.upstream.reconnectBackoff.initialDelay == .milliseconds(250))
        #expect(gateway.gatewayID == 7)
        #expect(gateway.maxClients == 5)
        #expect(gateway.maxTopicsPerClient == 9)
        #expect(gateway.retryInterval == .seconds(2))
        #expect(gateway.retryCount == 4)
        #expect(gateway.sleepBufferSize == 11)
        #expect(gateway.downlinkQueueSize == 250)
        #expect(gateway.mode == .aggregating)
        #expect(gateway.aggregating == .init(connections: 3, clientProperty: nil))
        #expect(gateway.transportModes == .init(serial: .transparent))
        // The client's own mode, then its transport's, then gateway.mode.
        #expect(gateway.mode(forClient: "vip", transport: .udp) == .transparent)
        #expect(gateway.mode(forClient: "sensor-9", transport: .serial) == .aggregating)
        #expect(gateway.mode(forClient: "board-1", transport: .serial) == .transparent)
        #expect(gateway.mode(forClient: "sensor-1", transport: .udp) == .aggregating)
        #expect(gateway.mode(forClient: "sensor-1", transport: .dtls) == .aggregating)
        #expect(gateway.modesInUse == [.transparent, .aggregating])
        #expect(
            configuration.summary.contains(
                "aggregating over 3 shared broker session(s); serial clients transparent; 2 client(s) with a mode of their own"
            )
        )
        #expect(gateway.upstream.partitionTimeout == .seconds(6))
        #expect(gateway.maxMessageSize == 512)
        #expect(gateway.maxClientIDLength == 23)
        #expect(gateway.maxTopicNameLength == 200)
        #expect(gateway.shutdownGracePeriod == .seconds(3))
        #expect(gateway.rateLimit == .init(messagesPerSecond: 2.5, burst: 5))
        #expect(gateway.predefinedTopics == [1: "a/b", 65534: "c/d"])
        #expect(
            gateway.clients["boiler"]
                == .init(username: "b", password: "p", predefinedTopics: [10: "plant/boiler"], maxPacketSize: 128)
        )
        #expect(gateway.qosMinusOne == .init(enabled: true, allowedSources: ["10.0.0.0/8", "fd00::/8"]))
        #expect(gateway.udpListeners == ["127.0.0.1:2000", "[::1]:2001"])
        #expect(gateway.advertise == .init(interval: .seconds(60), addresses: ["255.255.255.255:1884"]))
        #expect(configuration.logLevel == .debug)
    }

    struct BadCase: CustomTestStringConvertible, Sendable {
        var yaml: String
        var key: String
        var problemContains: String
        var testDescription: String { "\(key): \(problemContains)" }
    }

    static let badCases: [BadCase] = [
        .init(
            yaml: "gateway:\n  max_client: 5",
            key: "gateway.max_client",
            problemContains: "did you mean 'max_clients'"
        ),
        .init(yaml: "brokr:\n  url: mqtt://x", key: "brokr", problemContains: "did you mean 'broker'"),
        .init(yaml: "gateway:\n  max_clients: 0", key: "gateway.max_clients", problemContains: "between 1 and"),
        .init(yaml: "gateway:\n  mode: bridged", key: "gateway.mode", problemContains: "aggregating"),
        .init(
            yaml: "gateway:\n  transport_modes: { udp: shared }",
            key: "gateway.transport_modes.udp",
            problemContains: "aggregating"
        ),
        .init(
            yaml: "gateway:\n  transport_modes: { tcp: transparent }",
            key: "gateway.transport_modes.tcp",
            problemContains: "udp"
        ),
        .init(
            yaml: "gateway:\n  clients: { vip: { mode: direct } }",
            key: "gateway.clients.vip.mode",
            problemContains: "transparent"
        ),
        .init(
            yaml: "gateway:\n  aggregating: { connections: 0 }",
            key: "gateway.aggregating.connections",
            problemContains: "between 1 and"
        ),
        .init(yaml: "gateway:\n  max_clients: many", key: "gateway.max_clients", problemContains: "whole number"),
        .init(yaml: "gateway:\n  retry_interval: soon", key: "gateway.retry_interval", problemContains: "duration"),
        .init(
            yaml: "gateway:\n  retry_interval: 10ms",
            key: "gateway.retry_interval",
            problemContains: "between 100ms"
        ),
        .init(yaml: "broker:\n  url: http://x", key: "broker.url", problemContains: "unsupported scheme 'http'"),
        .init(yaml: "broker:\n  url: mqtt://x:99999", key: "broker.url", problemContains: "port must be 1-65535"),
        .init(yaml: "broker:\n  protocol: 4", key: "broker.protocol", problemContains: "one of 3.1.1, 5"),
        .init(yaml: "broker:\n  password: x", key: "broker.password", problemContains: "needs broker.username"),
        .init(
            yaml: "broker:\n  tls:\n    ca_file: /nonexistent/ca.pem",
            key: "broker.tls.ca_file",
            problemContains: "cannot read"
        ),
        .init(
            yaml: "gateway:\n  predefined_topics:\n    0: a/b",
            key: "gateway.predefined_topics.0",
            problemContains: "1 to 65534"
        ),
        .init(
            yaml: "gateway:\n  rate_limit:\n    burst: 3",
            key: "gateway.rate_limit.messages_per_second",
            problemContains: "required"
        ),
        .init(
            yaml: "gateway:\n  qos_minus_one:\n    enabled: maybe",
            key: "gateway.qos_minus_one.enabled",
            problemContains: "true or false"
        ),
        .init(
            yaml: "gateway:\n  max_message_size: 256\n  max_topic_name_length: 512",
            key: "gateway.max_topic_name_length",
            problemContains: "between 1 and gateway.max_message_size (256)"
        ),
        .init(
            yaml: "gateway:\n  max_client_id_length: 0",
            key: "gateway.max_client_id_length",
            problemContains: "between 1 and"
        ),
        .init(
            yaml: "gateway:\n  clients:\n    c:\n      max_packet_size: 4",
            key: "gateway.clients.c.max_packet_size",
            problemContains: "between 8 and"
        ),
        .init(yaml: "udp:\n  listeners: { a: b }", key: "udp.listeners", problemContains: "expected a list"),
        .init(
            yaml: "udp:\n  advertise:\n    interval: 10s",
            key: "udp.advertise.addresses",
            problemContains: "at least one"
        ),
        .init(
            yaml: "serial:\n  read_batching: 1s",
            key: "serial.read_batching",
            problemContains: "between 0s and 50ms"
        ),
        .init(yaml: "serial:\n  session_grace: 2h", key: "serial.session_grace", problemContains: "between 0s and"),
        .init(yaml: "log:\n  level: loud", key: "log.level", problemContains: "one of trace"),
        .init(yaml: "log:\n  format: xml", key: "log.format", problemContains: "one of auto, text, journal, json"),
        .init(yaml: "gateway: [1, 2]", key: "gateway", problemContains: "expected a mapping"),
        .init(yaml: "broker: {url: [", key: "", problemContains: "not valid YAML"),
        .init(
            yaml: "broker:\n  url: mqtt://a\n  url: mqtt://b",
            key: "broker.url",
            problemContains: "given twice (again on line 3)"
        ),
        .init(yaml: "log: {level: info}\nlog: {level: debug}", key: "log", problemContains: "given twice"),
        .init(
            yaml: "gateway:\n  predefined_topics:\n    1: a/b\n    1: c/d",
            key: "gateway.predefined_topics.1",
            problemContains: "given twice"
        ),
    ]

    @Test("Bad values are answered with an error naming the key", arguments: badCases)
    func badValueNamesTheKey(_ badCase: BadCase) {
        #expect {
            try SNBridgeConfiguration.parse(yaml: badCase.yaml)
        } throws: { error in
            guard let errors = error as? ConfigurationErrors else { return false }
            return errors.errors.contains { $0.key == badCase.key && $0.problem.contains(badCase.problemContains) }
        }
    }

    @Test("A directory, a missing file and an unreadable file given as --config each get a plain sentence")
    func unreadableFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("snbridge-config-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func problem(_ path: String) -> String {
            do {
                _ = try SNBridgeConfiguration.load(contentsOf: path)
                return "loaded"
            } catch {
                return (error as? ConfigurationErrors)?.errors.map(\.description).joined() ?? "\(error)"
            }
        }
        #expect(
            problem(directory.path)
                == "\(directory.path) is a directory, not a configuration file; give the file in it, e.g. \(directory.path)/snbridge.yaml"
        )
        #expect(
            problem(directory.path + "/absent.yaml")
                == "cannot read \(directory.path)/absent.yaml: there is no such file"
        )
        let binary = directory.appendingPathComponent("binary.yaml")
        try Data([0x61, 0xff, 0x62, 0x0a]).write(to: binary)
        #expect(problem(binary.path) == "cannot read \(binary.path) as UTF-8 text")
    }

    @Test("Every problem in a file is reported at once")
    func allProblemsReportedTogether() throws {
        let yaml = "gateway:\n  max_clients: 0\n  retry_count: -1\nbroker:\n  url: ftp://x\n"
        do {
            _ = try SNBridgeConfiguration.parse(yaml: yaml)
            Issue.record("expected errors")
        } catch let errors as ConfigurationErrors {
            #expect(Set(errors.errors.map(\.key)) == ["gateway.max_clients", "gateway.retry_count", "broker.url"])
        }
    }

    @Test("Command-line flags override the file")
    func flagsOverrideTheFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("snbridge-config-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("snbridge.yaml")
        try "udp:\n  listeners: ['127.0.0.1:1884', '[::]:1884', 'gateway.local']\nlog:\n  level: error\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let options = try ConfigurationOptions.parse([
            "--config", file.path, "--udp-port", "20000", "--broker", "mqtt://[::1]:1999", "--log-level", "debug",
        ])
        let configuration = try options.resolve()
        #expect(configuration.gateway.udpListeners == ["127.0.0.1:20000", "[::]:20000", "gateway.local:20000"])
        #expect(configuration.gateway.upstream.host == "::1")
        #expect(configuration.gateway.upstream.port == 1999)
        #expect(configuration.logLevel == .debug)
    }

    @Test("A bad flag is named in the error")
    func badFlagIsNamed() throws {
        let options = try ConfigurationOptions.parse(["--udp-port", "70000", "--broker", "mqtt//oops"])
        #expect {
            try options.resolve()
        } throws: { error in
            let keys = (error as? ConfigurationErrors)?.errors.map(\.key) ?? []
            return Set(keys) == ["--udp-port", "--broker"]
        }
    }
}
