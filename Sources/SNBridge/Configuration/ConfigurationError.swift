/// A problem with one configuration key, named by its dotted path (`gateway.max_clients`) so the user can find it.
public struct ConfigurationError: Error, Hashable, CustomStringConvertible, Sendable {
    /// The dotted key path, e.g. `udp.listeners[1]`. Empty for problems with the file as a whole.
    public var key: String
    /// What is wrong and, where possible, what would be right.
    public var problem: String

    public init(key: String, problem: String) {
        self.key = key
        self.problem = problem
    }

    public var description: String {
        key.isEmpty ? problem : "\(key): \(problem)"
    }
}

/// Every problem found in one configuration, reported together so one edit fixes them all.
public struct ConfigurationErrors: Error, CustomStringConvertible, Sendable {
    public var errors: [ConfigurationError]

    public init(_ errors: [ConfigurationError]) {
        self.errors = errors
    }

    public var description: String {
        let noun = errors.count == 1 ? "error" : "errors"
        return "configuration has \(errors.count) \(noun):\n" + errors.map { "  - \($0)" }.joined(separator: "\n")
    }
}
