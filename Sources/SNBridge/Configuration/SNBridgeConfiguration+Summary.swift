import GatewayCore

extension SNBridgeConfiguration {
    private var modeSummary: String {
        var summary =
            switch gateway.mode {
            case .transparent: "transparent (a broker session per client)"
            case .aggregating: "aggregating over \(gateway.aggregating.connections) shared broker session(s)"
            }
        for kind in GatewayConfiguration.TransportKind.allCases {
            if let mode = gateway.transportModes[kind], mode != gateway.mode {
                summary += "; \(kind.rawValue) clients \(mode.rawValue)"
            }
        }
        let ownModes = gateway.clients.values.filter { $0.mode != nil }.count
        if ownModes > 0 { summary += "; \(ownModes) client(s) with a mode of their own" }
        return summary
    }

    /// A few readable lines of what the configuration resolves to, for `check-config`.
    var summary: String {
        let upstream = gateway.upstream
        let url = BrokerURL(host: upstream.host, port: upstream.port, usesTLS: upstream.tls != nil)
        var lines = [
            "broker:      \(url) (MQTT \(upstream.protocolVersion == .v5 ? "5.0" : "3.1.1"))",
            "udp:         \(gateway.udpListeners.joined(separator: ", "))",
            "mode:        \(modeSummary)",
            "max clients: \(gateway.maxClients), topics per client: \(gateway.maxTopicsPerClient)",
            "predefined:  \(gateway.predefinedTopics.count) global topic id(s), \(gateway.clients.count) client override(s)",
            "qos -1:      \(gateway.qosMinusOne.enabled ? "enabled" : "disabled")",
            "serial:      "
                + (serialPorts.isEmpty
                    ? "no configured ports"
                    : serialPorts.map { "\($0.path) (\($0.port.baudRate) baud, \($0.mode.rawValue))" }.joined(
                        separator: ", "
                    )),
            "discovery:   "
                + (discovery.enabled == false
                    ? "off"
                    : "\(discovery.rules.count) rule(s)\(discovery.builtInDefaults ? " + built-in chip defaults" : "")"),
            "status:      " + (status.enabled ? "topics under \(status.topicPrefix)/" : "off"),
            "state:       \(stateSummary)",
            "log level:   \(logLevel)",
            "log format:  \(logFormat?.rawValue ?? "auto (journal under systemd, else text)")",
        ]
        if let advertise = gateway.advertise {
            lines.append(
                "advertise:   every \(advertise.interval.nanoseconds / 1_000_000_000)s to \(advertise.addresses.joined(separator: ", "))"
            )
        }
        for multicast in gateway.multicast {
            lines.append(
                "multicast:   \(multicast.group) port \(multicast.port) on \(multicast.interface), "
                    + "SEARCHGW answered by \(multicast.reply.rawValue), ttl \(multicast.ttl)"
            )
        }
        return lines.joined(separator: "\n")
    }
}
