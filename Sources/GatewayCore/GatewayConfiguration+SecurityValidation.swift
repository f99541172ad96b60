extension GatewayConfiguration {
    /// The problems of ``security`` and of the per-client security settings, each naming its YAML key.
    func securityValidationErrors() -> [GatewayConfigurationError] {
        var errors: [GatewayConfigurationError] = []
        func require(_ condition: Bool, _ field: String, _ problem: String) {
            if !condition {
                errors.append(GatewayConfigurationError(field: field, problem: problem))
            }
        }
        let security = self.security
        require(
            security.authentication != .dtls || self.dtls != nil,
            "gateway.authentication",
            "dtls needs udp.dtls (listeners with a psk_file or certificates)"
        )
        if let dtls = self.dtls {
            require(
                !dtls.preSharedKeys.isEmpty || dtls.certificates != nil,
                "udp.dtls",
                "needs a psk_file or cert_file and key_file"
            )
            require(!dtls.listeners.isEmpty, "udp.dtls.listeners", "must name at least one listener")
            for (index, listener) in dtls.listeners.enumerated() {
                require(
                    HostAndPort(listener, defaultPort: 8884) != nil,
                    "udp.dtls.listeners[\(index)]",
                    "must be host:port, not '\(listener)'"
                )
            }
        }
        require(
            security.idleSessionTimeout >= .seconds(1),
            "gateway.idle_session_timeout",
            "must be at least 1 second"
        )
        require(security.maxKeepAlive >= 1, "gateway.max_keepalive", "must be at least 1 second")
        require(security.unconfirmedSendBudget >= 0, "gateway.unconfirmed_send_budget", "must not be negative")
        let limits = security.sourceLimits
        require((0...32).contains(limits.prefixLengthV4), "gateway.source_limits.prefix_length_v4", "must be 0 to 32")
        require((0...128).contains(limits.prefixLengthV6), "gateway.source_limits.prefix_length_v6", "must be 0 to 128")
        require(
            limits.newSessionsPerSecond > 0 && limits.newSessionsPerSecond.isFinite,
            "gateway.source_limits.new_sessions_per_second",
            "must be a positive number"
        )
        require(limits.burst >= 1, "gateway.source_limits.burst", "must be at least 1")
        require(limits.maxSessions.map { $0 >= 1 } ?? true, "gateway.source_limits.max_sessions", "must be at least 1")
        Self.validateMountpoint(security.mountpoint, field: "gateway.mountpoint", into: &errors)
        for (clientID, client) in self.clients.sorted(by: { $0.key < $1.key }) {
            for (index, source) in client.allowedSources.enumerated() {
                require(
                    SourceAddressPrefix(source) != nil,
                    "gateway.clients.\(clientID).allowed_sources[\(index)]",
                    "must be an IP address or CIDR prefix, not '\(source)'"
                )
            }
            Self.validateMountpoint(client.mountpoint, field: "gateway.clients.\(clientID).mountpoint", into: &errors)
        }
        return errors
    }

    private static func validateMountpoint(
        _ mountpoint: String?,
        field: String,
        into errors: inout [GatewayConfigurationError]
    ) {
        guard let mountpoint else { return }
        if mountpoint.isEmpty || mountpoint.contains("+") || mountpoint.contains("#") || !mountpoint.hasSuffix("/") {
            errors.append(
                .init(field: field, problem: "must be a topic prefix ending in '/' without wildcards, e.g. devices/%c/")
            )
        }
    }
}
