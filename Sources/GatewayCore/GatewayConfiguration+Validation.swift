import MQTTSN
import NIOCore

extension GatewayConfiguration {
    /// Every problem of the configuration, each naming the YAML key path of its field; empty when it is usable.
    public func validate() -> [GatewayConfigurationError] {
        var errors: [GatewayConfigurationError] = []
        func require(_ condition: Bool, _ field: String, _ problem: String) {
            if !condition {
                errors.append(GatewayConfigurationError(field: field, problem: problem))
            }
        }

        require(!self.upstream.host.isEmpty, "broker.url", "must name a host")
        require(
            (1...64).contains(self.aggregating.connections),
            "gateway.aggregating.connections",
            "must be between 1 and 64"
        )
        require(
            self.aggregating.clientProperty.map { !$0.isEmpty } ?? true,
            "gateway.aggregating.client_property",
            "must not be empty (leave it out, or set it to none)"
        )
        require((1...65_535).contains(self.upstream.port), "broker.url", "must have a port between 1 and 65535")
        require(self.upstream.keepAlive >= 1, "broker.keepalive", "must be at least 1 second")
        require(
            self.upstream.password == nil || self.upstream.username != nil,
            "broker.password",
            "needs broker.username"
        )
        require(
            self.upstream.clientIDPrefix.utf8.count <= 64,
            "broker.client_id_prefix",
            "must be at most 64 octets"
        )
        if let tls = self.upstream.tls {
            let (present, missing) =
                tls.certificateFile == nil
                ? ("broker.tls.key_file", "broker.tls.cert_file") : ("broker.tls.cert_file", "broker.tls.key_file")
            require(
                (tls.certificateFile == nil) == (tls.keyFile == nil),
                missing,
                "must be given together with \(present)"
            )
            require(tls.serverName.map { !$0.isEmpty } ?? true, "broker.tls.server_name", "must not be empty")
        }
        require(
            self.upstream.reconnectBackoff.initialDelay > .zero
                && self.upstream.reconnectBackoff.maximumDelay >= self.upstream.reconnectBackoff.initialDelay,
            "broker.reconnect",
            "must have a positive initial delay not above its maximum delay"
        )

        require(self.maxClients >= 1, "gateway.max_clients", "must be at least 1")
        require(self.maxTopicsPerClient >= 1, "gateway.max_topics_per_client", "must be at least 1")
        require(
            self.maxTopicsPerClient <= 65_000,
            "gateway.max_topics_per_client",
            "must be at most 65000 (topic ids are 16 bits)"
        )
        require(self.retryInterval >= .milliseconds(100), "gateway.retry_interval", "must be at least 100 ms")
        require(self.retryCount >= 0, "gateway.retry_count", "must not be negative")
        require(self.sleepBufferSize >= 1, "gateway.sleep_buffer", "must be at least 1")
        require(
            (1...65_535).contains(self.downlinkQueueSize),
            "gateway.downlink_queue",
            "must be 1 to 65535 (the receive window is 16 bits)"
        )
        require(
            self.upstream.partitionTimeout >= .seconds(1),
            "broker.partition_timeout",
            "must be at least 1 s"
        )
        if let rateLimit = self.rateLimit {
            require(
                rateLimit.messagesPerSecond > 0 && rateLimit.messagesPerSecond.isFinite,
                "gateway.rate_limit.messages_per_second",
                "must be a positive number"
            )
            require(rateLimit.burst >= 1, "gateway.rate_limit.burst", "must be at least 1")
        }
        require(self.keepAliveGraceFactor >= 1, "gateway.keepalive_grace_factor", "must be at least 1")
        require(
            (32...MQTTSNDecodingLimits.largestEncodableMessageLength).contains(self.maxMessageSize),
            "gateway.max_message_size",
            "must be between 32 and 65535"
        )
        require(
            (1...MQTTSNDecodingLimits.largestEncodableMessageLength).contains(self.maxClientIDLength),
            "gateway.max_client_id_length",
            "must be between 1 and 65535"
        )
        // Against a valid maximum message size only: a bad one is reported on its own.
        let messageSizeLimit =
            (32...MQTTSNDecodingLimits.largestEncodableMessageLength).contains(self.maxMessageSize)
            ? self.maxMessageSize : MQTTSNDecodingLimits.largestEncodableMessageLength
        require(
            self.maxTopicNameLength >= 1 && self.maxTopicNameLength <= messageSizeLimit,
            "gateway.max_topic_name_length",
            "must be between 1 and gateway.max_message_size (\(messageSizeLimit))"
        )
        Self.validatePredefinedTopics(self.predefinedTopics, field: "gateway.predefined_topics", into: &errors)
        for (clientID, overrides) in self.clients.sorted(by: { $0.key < $1.key }) {
            require(!clientID.isEmpty, "gateway.clients", "must not have an empty client id")
            require(
                overrides.password == nil || overrides.username != nil,
                "gateway.clients.\(clientID).password",
                "needs gateway.clients.\(clientID).username"
            )
            if let size = overrides.maxPacketSize {
                require(
                    (8...MQTTSNDecodingLimits.largestEncodableMessageLength).contains(size),
                    "gateway.clients.\(clientID).max_packet_size",
                    "must be between 8 and 65535"
                )
            }
            Self.validatePredefinedTopics(
                overrides.predefinedTopics,
                field: "gateway.clients.\(clientID).predefined_topics",
                into: &errors
            )
        }
        for (index, source) in self.qosMinusOne.allowedSources.enumerated() {
            require(
                SourceAddressPrefix(source) != nil,
                "gateway.qos_minus_one.allowed_sources[\(index)]",
                "must be an IP address or CIDR prefix, not '\(source)'"
            )
        }
        for (index, source) in self.forwarders.allowedSources.enumerated() {
            require(
                SourceAddressPrefix(source) != nil,
                "udp.forwarders.allowed_sources[\(index)]",
                "must be an IP address or CIDR prefix, not '\(source)'"
            )
        }
        require(!self.udpListeners.isEmpty, "udp.listeners", "must name at least one listener")
        for (index, listener) in self.udpListeners.enumerated() {
            require(
                HostAndPort(listener, defaultPort: 1884) != nil,
                "udp.listeners[\(index)]",
                "must be host:port, not '\(listener)'"
            )
        }
        if let advertise = self.advertise {
            require(
                advertise.interval >= .seconds(1) && advertise.interval <= .seconds(65_535),
                "udp.advertise.interval",
                "must be between 1 and 65535 seconds"
            )
            require(!advertise.addresses.isEmpty, "udp.advertise.addresses", "must name at least one address")
            for (index, address) in advertise.addresses.enumerated() {
                require(
                    HostAndPort(address, defaultPort: 1884) != nil,
                    "udp.advertise.addresses[\(index)]",
                    "must be host:port, not '\(address)'"
                )
            }
        }
        errors += self.validateMulticast(devices: Self.networkDevices())
        errors += self.securityValidationErrors()
        return errors
    }

    private static func validatePredefinedTopics(
        _ topics: [UInt16: String],
        field: String,
        into errors: inout [GatewayConfigurationError]
    ) {
        for (id, name) in topics.sorted(by: { $0.key < $1.key }) {
            if id == 0 || id == 0xFFFF {
                errors.append(.init(field: "\(field).\(id)", problem: "must be a topic id between 1 and 65534"))
            }
            if name.isEmpty || name.contains("+") || name.contains("#") {
                errors.append(.init(field: "\(field).\(id)", problem: "must be a topic name without wildcards"))
            }
        }
    }
}
