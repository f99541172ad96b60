import ArgumentParser
import Logging

/// The flags `run` and `check-config` share: a configuration file and the overrides that beat it.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .long, help: "YAML configuration file (every key optional; see README.md).")
    var config: String?

    @Option(
        name: .customLong("udp-port"),
        help: "UDP port for every MQTT-SN listener (overrides udp.listeners' ports)."
    )
    var udpPort: Int?

    @Option(name: .long, help: "Upstream broker URL, mqtt://host[:port] or mqtts://host[:port] (overrides broker.url).")
    var broker: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A serial port to open, as PATH[,baud=N][,framing=raw][,reset=on-open] (repeatable; adds to serial.ports).",
            valueName: "path[,key=value...]"
        )
    )
    var serial: [String] = []

    @Option(
        name: .customLong("state-directory"),
        help: "Directory of the session store, or none to keep sessions in memory (overrides state.directory)."
    )
    var stateDirectory: String?

    @Option(
        name: .customLong("log-level"),
        help: "trace, debug, info, notice, warning, error or critical (overrides log.level)."
    )
    var logLevel: Logger.Level?

    /// The file's configuration (or the defaults) with the flags applied, validated.
    func resolve() throws -> SNBridgeConfiguration {
        var configuration = try config.map(SNBridgeConfiguration.load(contentsOf:)) ?? SNBridgeConfiguration()
        var errors: [ConfigurationError] = []
        if let broker {
            configuration.applyBrokerURL(broker, key: "--broker") {
                errors.append(ConfigurationError(key: $0, problem: $1))
            }
        }
        if let udpPort {
            if (0...65_535).contains(udpPort) {
                configuration.overrideUDPPort(udpPort)
            } else {
                errors.append(
                    ConfigurationError(key: "--udp-port", problem: "must be between 0 and 65535, got \(udpPort)")
                )
            }
        }
        configuration.applySerialArguments(serial) { errors.append(ConfigurationError(key: $0, problem: $1)) }
        if let stateDirectory {
            configuration.applyStateDirectory(stateDirectory, key: "--state-directory") {
                errors.append(ConfigurationError(key: $0, problem: $1))
            }
        }
        if let logLevel {
            configuration.logLevel = logLevel
        }
        errors += configuration.validationErrors()
        guard errors.isEmpty else { throw ConfigurationErrors(errors) }
        return configuration
    }
}
