import DeviceDiscovery

extension SNBridgeConfiguration {
    /// Reads `discovery.*`.
    mutating func readDiscovery(_ section: ConfigurationReader.Cursor, with reader: ConfigurationReader) {
        reader.expectMapping(section, allowed: ["enabled", "builtin_defaults", "match"])
        if let enabled = reader.bool(section.key("enabled")) { discovery.enabled = enabled }
        if let defaults = reader.bool(section.key("builtin_defaults")) { discovery.builtInDefaults = defaults }
        var names: Set<String> = []
        for (index, entry) in reader.sequence(section.key("match")).enumerated() {
            guard let rule = readMatchRule(entry, index: index, with: reader) else { continue }
            guard names.insert(rule.name).inserted else {
                reader.report(entry.key("name").path, "another rule is already named '\(rule.name)'")
                continue
            }
            discovery.rules.append(rule)
        }
    }

    static let matchRuleKeys = [
        "name", "usb_id", "serial", "by_id", "by_path", "property", "baud", "framing", "reset", "client_id_prefix",
    ]

    private func readMatchRule(
        _ entry: ConfigurationReader.Cursor,
        index: Int,
        with reader: ConfigurationReader
    ) -> DeviceMatchRule? {
        guard entry.isPresent, entry.node?.mapping != nil else {
            reader.report(
                entry.path,
                "expected a mapping with at least one of usb_id, serial, by_id, by_path, property"
            )
            return nil
        }
        reader.expectMapping(entry, allowed: Self.matchRuleKeys)
        let errorsBefore = reader.errors.count
        var criteria = DeviceMatchCriteria()
        for cursor in reader.sequence(entry.key("usb_id")) {
            guard let text = reader.string(cursor) else { continue }
            do {
                criteria.usbIDs.append(try USBIDPattern(parsing: text))
            } catch {
                reader.report(cursor.path, "\(error)")
            }
        }
        criteria.serialNumber = reader.string(entry.key("serial"))
        criteria.byIDGlob = reader.string(entry.key("by_id"))
        criteria.byPathGlob = reader.string(entry.key("by_path"))
        if let text = reader.string(entry.key("property")) {
            do {
                criteria.udevProperty = try UdevPropertyMatch(parsing: text)
            } catch {
                reader.report(entry.key("property").path, "\(error)")
            }
        }
        var options = DeviceMatchOptions()
        if let baud = reader.choice(entry.key("baud"), Self.baudRates) { options.baudRate = baud }
        if let framing = reader.choice(entry.key("framing"), ["snbridge": DeviceFraming.snbridge, "raw": .raw]) {
            options.framing = framing
        }
        if let reset = reader.choice(
            entry.key("reset"),
            ["never": DeviceResetPolicy.never, "on-open": .onOpen, "on-link-loss": .onLinkLoss]
        ) {
            options.resetPolicy = reset
        }
        options.clientIDPrefix = reader.string(entry.key("client_id_prefix"))
        let name = reader.string(entry.key("name")) ?? "match[\(index)]"
        guard reader.errors.count == errorsBefore else { return nil }
        do {
            return try DeviceMatchRule(name: name, criteria: criteria, options: options)
        } catch {
            reader.report(entry.path, "\(error)")
            return nil
        }
    }

    /// Reads `status.*`.
    mutating func readStatus(_ section: ConfigurationReader.Cursor, with reader: ConfigurationReader) {
        reader.expectMapping(
            section,
            allowed: [
                "enabled", "topic_prefix", "console_to_mqtt", "client_id", "interval", "forget_after", "homeassistant",
                "udp_devices",
            ]
        )
        if let enabled = reader.bool(section.key("enabled")) { status.enabled = enabled }
        let prefixKey = section.key("topic_prefix")
        if let prefix = reader.string(prefixKey) {
            if let problem = Self.topicPrefixProblem(prefix) {
                reader.report(prefixKey.path, problem)
            } else {
                status.topicPrefix = prefix
            }
        }
        if let console = reader.bool(section.key("console_to_mqtt")) { status.consoleToMQTT = console }
        if let udpDevices = reader.bool(section.key("udp_devices")) { status.udpDevices = udpDevices }
        let clientIDKey = section.key("client_id")
        if let clientID = reader.string(clientIDKey) {
            if clientID.isEmpty || clientID.utf8.count > 65_535 {
                reader.report(clientIDKey.path, "must be a non-empty MQTT client id")
            } else {
                status.clientID = clientID
            }
        }
        if let interval = reader.duration(section.key("interval"), in: .seconds(1) ... .seconds(3600)) {
            status.interval = .init(interval)
        }
        if let forget = reader.duration(section.key("forget_after"), in: .seconds(1) ... .seconds(365 * 86_400)) {
            status.forgetAfter = .init(forget)
        }
        let homeAssistant = section.key("homeassistant")
        reader.expectMapping(homeAssistant, allowed: ["enabled", "prefix"])
        if let enabled = reader.bool(homeAssistant.key("enabled")) { status.homeAssistant.enabled = enabled }
        let haPrefix = homeAssistant.key("prefix")
        if let prefix = reader.string(haPrefix) {
            if let problem = Self.topicPrefixProblem(prefix) {
                reader.report(haPrefix.path, problem)
            } else {
                status.homeAssistant.prefix = prefix
            }
        }
    }

    /// Why `prefix` cannot start status topic names, or `nil` when it can.
    static func topicPrefixProblem(_ prefix: String) -> String? {
        if prefix.isEmpty { return "must not be empty" }
        if prefix.contains("+") || prefix.contains("#") {
            return "must not contain the wildcards + or #, got '\(prefix)'"
        }
        if prefix.hasPrefix("/") || prefix.hasSuffix("/") { return "must not start or end with '/', got '\(prefix)'" }
        if prefix.hasPrefix("$") { return "must not start with '$' (reserved for the broker), got '\(prefix)'" }
        return nil
    }
}
