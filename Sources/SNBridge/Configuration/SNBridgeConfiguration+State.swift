import SessionStore

extension SNBridgeConfiguration {
    /// Reads `state.*`: where the session store lives and how hard its commits reach the disk.
    mutating func readState(_ section: ConfigurationReader.Cursor, with reader: ConfigurationReader) {
        reader.expectMapping(section, allowed: ["directory", "synchronous"])
        let directoryKey = section.key("directory")
        if let text = reader.string(directoryKey) {
            applyStateDirectory(text, key: directoryKey.path, reporter: reader.report)
        }
        if let synchronous = reader.choice(
            section.key("synchronous"),
            ["full": SessionStoreSynchronous.full, "normal": .normal]
        ) {
            state.synchronous = synchronous
        }
    }

    /// Sets the store's location from `state.directory` or `--state-directory`: an absolute path, or `none` for memory.
    mutating func applyStateDirectory(_ text: String, key: String, reporter: (String, String) -> Void) {
        if text == "none" {
            state.location = .inMemory
        } else if text.hasPrefix("/") {
            state.location = .directory(text)
        } else {
            reporter(
                key,
                "must be an absolute directory such as /var/lib/snbridge, or none to keep sessions in memory, got '\(text)'"
            )
        }
    }

    /// The `state:` line of `check-config`.
    var stateSummary: String {
        switch state.location {
        case .inMemory:
            "in memory (state.directory: none): sessions do not survive a restart"
        case .directory:
            "\(state.filePath ?? "") (synchronous: \(state.synchronous.rawValue))"
        }
    }
}
