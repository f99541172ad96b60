import ArgumentParser

/// The root of the `snbridge` command line.
public struct SNBridgeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "snbridge",
        abstract: "Bridges MQTT-SN devices on UDP and USB-serial lines to an MQTT broker.",
        version: SNBridgeVersion.string,
        subcommands: [RunCommand.self, CheckConfigCommand.self, DevicesCommand.self]
    )

    public init() {}
}
