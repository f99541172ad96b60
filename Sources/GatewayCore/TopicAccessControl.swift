/// Topic ACLs in mosquitto's `acl_file` syntax (`gateway.acl_file`), applied to what MQTT-SN clients publish
/// (PUBLISH, REGISTER, the will) and subscribe to.
///
/// ```
/// # Comments and blank lines are ignored.
/// topic read public/#             <- before any `user` line: applies to every client
/// user boiler-operator            <- the following `topic` lines apply to clients with this user name
/// topic readwrite plant/boiler/#
/// pattern write devices/%c/#      <- every client; %c is its client id, %u its user name
/// pattern deny devices/%c/firmware
/// ```
///
/// Access is `read`, `write`, `readwrite` (the default when omitted) or `deny`. A topic a `deny` rule matches is
/// refused whatever else matches; otherwise access is granted when some rule matching the topic grants it. Once
/// an ACL is configured, what no rule grants is refused.
///
/// A client's user name (`%u`, and what `user` lines match) is its `gateway.clients.<id>.username` when it has one,
/// else its client id. A client id or user name containing `/`, `+` or `#` never matches a `pattern` that
/// substitutes it, so that a client named `#` cannot widen a pattern to every topic.
public struct TopicAccessControl: Sendable, Hashable {
    /// One `topic` or `pattern` line.
    public struct Rule: Sendable, Hashable {
        /// `read`, `write`, `readwrite` or `deny`, as a bit set.
        public struct Access: OptionSet, Sendable, Hashable {
            public var rawValue: UInt8
            public init(rawValue: UInt8) { self.rawValue = rawValue }
            public static let read = Access(rawValue: 1)
            public static let write = Access(rawValue: 2)
            public static let deny = Access(rawValue: 4)
            public static let readWrite: Access = [.read, .write]
        }

        /// The `user` the line follows, `nil` before the first `user` line and for patterns.
        public var user: String?
        /// Whether this is a `pattern` line (with `%c` / `%u` substitution).
        public var isPattern: Bool
        public var access: Access
        /// The topic filter, wildcards allowed.
        public var filter: String
        /// The line in the file, for messages.
        public var line: Int
    }

    public var rules: [Rule]

    public init(rules: [Rule]) {
        self.rules = rules
    }

    /// Parses an ACL file's text; errors name the line and the YAML key the file came from.
    public init(parsing text: String, key: String = "gateway.acl_file") throws(GatewayConfigurationError) {
        var rules: [Rule] = []
        var user: String?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingPrefix(while: \.isWhitespace)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let words = line.split(whereSeparator: \.isWhitespace)
            let number = index + 1
            func failure(_ problem: String) -> GatewayConfigurationError {
                GatewayConfigurationError(field: key, problem: "line \(number): \(problem)")
            }
            switch words[0] {
            case "user":
                guard words.count >= 2 else { throw failure("'user' needs a user name") }
                // mosquitto takes the rest of the line, spaces included.
                user = String(line.dropFirst(4).trimmingPrefix(while: \.isWhitespace))
            case "topic", "pattern":
                let access: Rule.Access
                let filter: Substring
                switch words.count {
                case 2:
                    access = .readWrite
                    filter = words[1]
                case 3:
                    switch words[1] {
                    case "read": access = .read
                    case "write": access = .write
                    case "readwrite": access = .readWrite
                    case "deny": access = .deny
                    default: throw failure("access must be read, write, readwrite or deny, not '\(words[1])'")
                    }
                    filter = words[2]
                default:
                    throw failure("expected '\(words[0]) [read|write|readwrite|deny] <topic>'")
                }
                guard ClientSessionStateMachine.isValidTopicFilter(String(filter)) else {
                    throw failure("'\(filter)' is not a valid topic filter")
                }
                let isPattern = words[0] == "pattern"
                rules.append(
                    Rule(
                        user: isPattern ? nil : user,
                        isPattern: isPattern,
                        access: access,
                        filter: String(filter),
                        line: number
                    )
                )
            default:
                throw failure("expected 'user', 'topic' or 'pattern', not '\(words[0])'")
            }
        }
        self.rules = rules
    }
}
