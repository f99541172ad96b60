import Foundation
import GatewayCore
import Logging
import NIOCore
import SNBridgeLogging
import SerialLink
import Yams

extension SNBridgeConfiguration {
    /// Reads and validates a configuration file.
    ///
    /// - Throws: ``ConfigurationErrors`` naming every bad key, or one error naming the file when it cannot be read.
    public static func load(contentsOf path: String) throws -> SNBridgeConfiguration {
        func unreadable(_ problem: String) -> ConfigurationErrors {
            ConfigurationErrors([ConfigurationError(key: "", problem: problem)])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw unreadable("cannot read \(path): there is no such file")
        }
        guard !isDirectory.boolValue else {
            let example = (path as NSString).appendingPathComponent("snbridge.yaml")
            throw unreadable("\(path) is a directory, not a configuration file; give the file in it, e.g. \(example)")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw unreadable(
                "cannot read \(path): this user may not read it (the package installs it root:snbridge 0640)"
            )
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw unreadable("cannot read \(path) as UTF-8 text")
        }
        return try parse(yaml: text)
    }

    /// Parses and validates configuration text.
    public static func parse(yaml text: String) throws -> SNBridgeConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationErrors([ConfigurationError(key: "", problem: "not valid YAML: \(error)")])
        }
        let reader = ConfigurationReader()
        var configuration = SNBridgeConfiguration()
        configuration.read(ConfigurationReader.Cursor(node: root, path: ""), with: reader)
        let errors = reader.errors + configuration.validationErrors()
        guard errors.isEmpty else { throw ConfigurationErrors(errors) }
        return configuration
    }

    /// The semantic checks of every part, as configuration errors.
    public func validationErrors() -> [ConfigurationError] {
        gateway.validate().map { ConfigurationError(key: $0.field, problem: $0.problem) }
    }

    private mutating func read(_ root: ConfigurationReader.Cursor, with reader: ConfigurationReader) {
        guard
            reader.expectMapping(
                root,
                allowed: ["broker", "gateway", "udp", "serial", "discovery", "status", "state", "http", "log"]
            )
        else { return }
        readBroker(root.key("broker"), with: reader)
        readGateway(root.key("gateway"), with: reader)
        readUDP(root.key("udp"), with: reader)
        readSerial(root.key("serial"), with: reader)
        readDiscovery(root.key("discovery"), with: reader)
        readStatus(root.key("status"), with: reader)
        readState(root.key("state"), with: reader)
        readHTTP(root.key("http"), with: reader)
        gateway.security.protectedTopicFilters = [status.topicPrefix + "/#", "$SYS/#"]
        let log = root.key("log")
        reader.expectMapping(log, allowed: ["level", "format"])
        if let level = reader.choice(log.key("level"), Self.logLevels) {
            logLevel = level
        }
        if let format = reader.choice(
            log.key("format"),
            ["auto": LogFormat?.none, "text": .text, "journal": .journal, "json": .json]
        ) {
            logFormat = format
        }
    }

    static let logLevels: KeyValuePairs<String, Logger.Level> = [
        "trace": .trace, "debug": .debug, "info": .info, "notice": .notice, "warning": .warning, "error": .error,
        "critical": .critical,
    ]

    private mutating func readBroker(_ broker: ConfigurationReader.Cursor, with reader: ConfigurationReader) {
        reader.expectMapping(
            broker,
            allowed: [
                "url", "protocol", "username", "password", "password_file", "client_id_prefix", "keepalive",
                "connect_timeout", "reconnect", "tls", "partition_timeout",
            ]
        )
        let urlKey = broker.key("url")
        if let text = reader.string(urlKey) {
            applyBrokerURL(text, key: urlKey.path, reporter: reader.report)
        }
        if let version = reader.choice(
            broker.key("protocol"),
            ["3.1.1": GatewayConfiguration.Upstream.ProtocolVersion.v3_1_1, "5": .v5, "5.0": .v5]
        ) {
            gateway.upstream.protocolVersion = version
        }
        if let username = reader.string(broker.key("username")) { gateway.upstream.username = username }
        if let password = reader.string(broker.key("password")) { gateway.upstream.password = password }
        let passwordFile = broker.key("password_file")
        if let path = reader.string(passwordFile) {
            if gateway.upstream.password != nil {
                reader.report(passwordFile.path, "give either broker.password or broker.password_file, not both")
            } else if let problem = SecretFilePermissions.problem(path) {
                reader.report(passwordFile.path, problem)
            } else if let contents = try? String(contentsOfFile: path, encoding: .utf8) {
                gateway.upstream.password = contents.trimmingCharacters(in: .newlines)
            } else {
                reader.report(passwordFile.path, "cannot read '\(path)'")
            }
        }
        if let prefix = reader.string(broker.key("client_id_prefix")) { gateway.upstream.clientIDPrefix = prefix }
        if let keepAlive = reader.duration(broker.key("keepalive"), in: .seconds(1) ... .seconds(65_535)) {
            gateway.upstream.keepAlive = UInt16(keepAlive.components.seconds)
        }
        if let timeout = reader.duration(broker.key("connect_timeout"), in: .milliseconds(100) ... .seconds(300)) {
            gateway.upstream.connectTimeout = TimeAmount(timeout)
        }
        if let timeout = reader.duration(broker.key("partition_timeout"), in: .seconds(1) ... .seconds(3600)) {
            gateway.upstream.partitionTimeout = TimeAmount(timeout)
        }
        let reconnect = broker.key("reconnect")
        reader.expectMapping(reconnect, allowed: ["initial_delay", "max_delay"])
        if let delay = reader.duration(reconnect.key("initial_delay"), in: .milliseconds(10) ... .seconds(3600)) {
            gateway.upstream.reconnectBackoff.initialDelay = TimeAmount(delay)
        }
        if let delay = reader.duration(reconnect.key("max_delay"), in: .milliseconds(10) ... .seconds(3600)) {
            gateway.upstream.reconnectBackoff.maximumDelay = TimeAmount(delay)
        }
        let tls = broker.key("tls")
        reader.expectMapping(tls, allowed: ["ca_file", "cert_file", "key_file", "server_name"])
        if tls.isPresent {
            var settings = gateway.upstream.tls ?? GatewayConfiguration.TLS()
            for (key, path) in [
                ("ca_file", \GatewayConfiguration.TLS.caFile), ("cert_file", \.certificateFile),
                ("key_file", \.keyFile),
            ] {
                let cursor = tls.key(key)
                guard let file = reader.string(cursor) else { continue }
                if key == "key_file", let problem = SecretFilePermissions.problem(file) {
                    reader.report(cursor.path, problem)
                } else if FileManager.default.isReadableFile(atPath: file) {
                    settings[keyPath: path] = file
                } else {
                    reader.report(cursor.path, "cannot read '\(file)'")
                }
            }
            if let name = reader.string(tls.key("server_name")) { settings.serverName = name }
            gateway.upstream.tls = settings
        }
    }

    /// Applies a broker URL to the upstream settings: host, port, and TLS on for `mqtts://`.
    mutating func applyBrokerURL(_ text: String, key: String, reporter: (String, String) -> Void) {
        switch BrokerURL.parse(text) {
        case .success(let url):
            gateway.upstream.host = url.host
            gateway.upstream.port = url.port
            if url.usesTLS {
                gateway.upstream.tls = gateway.upstream.tls ?? GatewayConfiguration.TLS()
            } else {
                gateway.upstream.tls = nil
            }
        case .failure(let error):
            reporter(key, error.problem)
        }
    }

    private mutating func readGateway(_ section: ConfigurationReader.Cursor, with reader: ConfigurationReader) {
        reader.expectMapping(
            section,
            allowed: [
                "id", "max_clients", "max_topics_per_client", "retry_interval", "retry_count", "sleep_buffer",
                "downlink_queue",
                "rate_limit", "max_message_size", "predefined_topics", "clients", "qos_minus_one",
                "shutdown_grace_period", "max_client_id_length", "max_topic_name_length", "outage_buffer",
                "mode", "aggregating", "transport_modes",
            ] + Self.securityKeys
        )
        readOutageBuffer(section.key("outage_buffer"), with: reader)
        readMode(section, with: reader)
        readSecurity(section, with: reader)
        if let id = reader.int(section.key("id"), in: 0...255) { gateway.gatewayID = UInt8(id) }
        if let value = reader.int(section.key("max_clients"), in: 1...1_000_000) { gateway.maxClients = value }
        if let value = reader.int(section.key("max_topics_per_client"), in: 1...65_000) {
            gateway.maxTopicsPerClient = value
        }
        if let value = reader.duration(section.key("retry_interval"), in: .milliseconds(100) ... .seconds(3600)) {
            gateway.retryInterval = TimeAmount(value)
        }
        if let value = reader.int(section.key("retry_count"), in: 0...100) { gateway.retryCount = value }
        if let value = reader.int(section.key("sleep_buffer"), in: 1...100_000) { gateway.sleepBufferSize = value }
        if let value = reader.int(section.key("downlink_queue"), in: 1...65_535) { gateway.downlinkQueueSize = value }
        if let value = reader.int(section.key("max_message_size"), in: 32...65_535) { gateway.maxMessageSize = value }
        if let value = reader.int(section.key("max_client_id_length"), in: 1...65_535) {
            gateway.maxClientIDLength = value
        }
        if let value = reader.int(section.key("max_topic_name_length"), in: 1...65_535) {
            gateway.maxTopicNameLength = value
        }
        if let value = reader.duration(section.key("shutdown_grace_period"), in: .zero ... .seconds(600)) {
            gateway.shutdownGracePeriod = TimeAmount(value)
        }
        let rateLimit = section.key("rate_limit")
        reader.expectMapping(rateLimit, allowed: ["messages_per_second", "burst"])
        if rateLimit.isPresent {
            let rate = reader.double(rateLimit.key("messages_per_second"), in: 0.001...1_000_000)
            let burst = reader.int(rateLimit.key("burst"), in: 1...1_000_000)
            if rate == nil && !rateLimit.key("messages_per_second").isPresent {
                reader.report(rateLimit.key("messages_per_second").path, "is required when gateway.rate_limit is set")
            }
            if let rate {
                gateway.rateLimit = .init(messagesPerSecond: rate, burst: burst ?? max(1, Int(rate.rounded(.up))))
            }
        }
        gateway.predefinedTopics = readPredefinedTopics(section.key("predefined_topics"), with: reader)
        for (clientID, client) in reader.entries(section.key("clients")) {
            reader.expectMapping(
                client,
                allowed: [
                    "username", "password", "predefined_topics", "max_packet_size", "allowed_sources", "mountpoint",
                    "mode",
                ]
            )
            gateway.clients[clientID] = GatewayConfiguration.ClientOverrides(
                username: reader.string(client.key("username")),
                password: reader.string(client.key("password")),
                predefinedTopics: readPredefinedTopics(client.key("predefined_topics"), with: reader),
                maxPacketSize: reader.int(client.key("max_packet_size"), in: 8...65_535),
                allowedSources: reader.sequence(client.key("allowed_sources")).compactMap { reader.string($0) },
                mountpoint: reader.string(client.key("mountpoint")),
                mode: Self.readMode(client.key("mode"), with: reader)
            )
        }
        let qosMinusOne = section.key("qos_minus_one")
        reader.expectMapping(qosMinusOne, allowed: ["enabled", "allowed_sources"])
        if let enabled = reader.bool(qosMinusOne.key("enabled")) { gateway.qosMinusOne.enabled = enabled }
        let sources = reader.sequence(qosMinusOne.key("allowed_sources")).compactMap { reader.string($0) }
        if !sources.isEmpty { gateway.qosMinusOne.allowedSources = sources }
    }

    private func readPredefinedTopics(
        _ cursor: ConfigurationReader.Cursor,
        with reader: ConfigurationReader
    ) -> [UInt16: String] {
        var topics: [UInt16: String] = [:]
        for (key, value) in reader.entries(cursor) {
            guard let id = UInt16(key), id != 0, id != 0xFFFF else {
                reader.report(value.path, "topic ids are 1 to 65534, got '\(key)'")
                continue
            }
            if let name = reader.string(value) { topics[id] = name }
        }
        return topics
    }

    private mutating func readUDP(_ section: ConfigurationReader.Cursor, with reader: ConfigurationReader) {
        reader.expectMapping(section, allowed: ["listeners", "advertise", "forwarders", "multicast", "dtls"])
        readMulticast(section.key("multicast"), with: reader)
        let forwarders = section.key("forwarders")
        reader.expectMapping(forwarders, allowed: ["enabled", "allowed_sources"])
        if let enabled = reader.bool(forwarders.key("enabled")) { gateway.forwarders.enabled = enabled }
        let forwarderSources = reader.sequence(forwarders.key("allowed_sources")).compactMap { reader.string($0) }
        if !forwarderSources.isEmpty { gateway.forwarders.allowedSources = forwarderSources }
        readDTLS(section.key("dtls"), with: reader)
        let listeners = section.key("listeners")
        if listeners.isPresent {
            gateway.udpListeners = reader.sequence(listeners).compactMap { reader.string($0) }
        }
        let advertise = section.key("advertise")
        reader.expectMapping(advertise, allowed: ["interval", "addresses"])
        if advertise.isPresent {
            let addresses = reader.sequence(advertise.key("addresses")).compactMap { reader.string($0) }
            if addresses.isEmpty {
                reader.report(advertise.key("addresses").path, "must list at least one host:port to advertise to")
            }
            var settings = GatewayConfiguration.Advertise(addresses: addresses)
            if let interval = reader.duration(advertise.key("interval"), in: .seconds(1) ... .seconds(65_535)) {
                settings.interval = TimeAmount(interval)
            }
            gateway.advertise = settings
        }
    }
}

extension SNBridgeConfiguration {
    private mutating func readSerial(_ section: ConfigurationReader.Cursor, with reader: ConfigurationReader) {
        reader.expectMapping(section, allowed: ["ports", "reopen_interval", "read_batching", "session_grace"])
        if let interval = reader.duration(section.key("reopen_interval"), in: .milliseconds(100) ... .seconds(3600)) {
            serialReopenInterval = TimeAmount(interval)
        }
        if let batching = reader.duration(section.key("read_batching"), in: .zero ... .milliseconds(50)) {
            serialReadBatching = TimeAmount(batching)
        }
        if let grace = reader.duration(section.key("session_grace"), in: .zero ... .seconds(3600)) {
            serialSessionGrace = TimeAmount(grace)
        }
        var seen: Set<String> = []
        for entry in reader.sequence(section.key("ports")) {
            guard let settings = Self.readSerialPort(entry, with: reader) else { continue }
            guard seen.insert(settings.path).inserted else {
                reader.report(entry.path, "lists \(settings.path) a second time")
                continue
            }
            serialPorts.append(settings)
        }
    }

    /// One `serial.ports` entry (a bare path or a mapping), or nil with the problems reported.
    static func readSerialPort(
        _ entry: ConfigurationReader.Cursor,
        with reader: ConfigurationReader
    ) -> SerialPortSettings? {
        let path: String?
        if case .scalar = entry.node {
            path = reader.string(entry)
        } else {
            reader.expectMapping(entry, allowed: ["path", "baud", "framing", "reset", "link_keepalive"])
            path = reader.string(entry.key("path"))
            if path == nil { reader.report(entry.key("path").path, "is required: the tty to open, e.g. /dev/ttyAMA0") }
        }
        guard let path else { return nil }
        guard path.hasPrefix("/") else {
            reader.report(entry.path, "must be an absolute tty path such as /dev/ttyUSB0, got '\(path)'")
            return nil
        }
        var settings = SerialPortSettings(path: path)
        if let baud = reader.choice(entry.key("baud"), Self.baudRates) { settings.port.baudRate = baud }
        if let mode = reader.choice(entry.key("framing"), ["snbridge": SerialLinkMode.framed, "raw": .rawMQTTSN]) {
            settings.mode = mode
        }
        if let policy = reader.choice(
            entry.key("reset"),
            ["never": SerialPortResetPolicy.never, "on-open": .onOpen, "on-link-loss": .onLinkLoss]
        ) {
            settings.port.resetPolicy = policy
        }
        if let keepalive = reader.duration(entry.key("link_keepalive"), in: .milliseconds(100) ... .seconds(3600)) {
            settings.linkKeepalive = TimeAmount(keepalive)
        }
        return settings
    }

    static let baudRates: KeyValuePairs<String, Int> = [
        "9600": 9600, "19200": 19200, "38400": 38400, "57600": 57600, "115200": 115_200,
        "230400": 230_400, "460800": 460_800, "500000": 500_000, "576000": 576_000, "921600": 921_600,
        "1000000": 1_000_000,
        "1500000": 1_500_000, "2000000": 2_000_000,
    ]
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
