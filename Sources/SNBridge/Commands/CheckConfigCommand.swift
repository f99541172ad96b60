import ArgumentParser

/// `snbridge check-config FILE`: validates a configuration file and prints what it resolves to.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration file; exit 0 when usable, 78 with every problem named otherwise."
    )

    @Argument(help: "The YAML configuration file to check.")
    var file: String

    func run() throws {
        let options = try ConfigurationOptions.parse(["--config", file])
        let configuration = try options.resolveOrExit()
        print("\(file): OK")
        print(configuration.summary)
    }
}
