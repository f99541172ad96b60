import GatewayCore

/// What the topic ACL costs per message: an `acl_file` of 1,000 rules (global topics, per-user topics, `%c`
/// patterns and denies), compiled for one client as the gateway does at admission, then `mayPublish(to:)` (the
/// check on every uplink PUBLISH) and `mayReceive(from:)` (every broker message) over 1,024 topics that hit and miss
/// the rules, in process, against the same checks without an ACL file (only the protected status prefix).
///
/// Target: under 1 µs per check with 1,000 rules.
struct ACLScenario {
    let context: BenchContext
    static let ruleCount = 1_000

    /// 1,000 rules: 200 `topic read` for everyone, 300 `topic readwrite` under `user bench-user`, 400
    /// `pattern readwrite devices/%c/<n>/#` and 100 `pattern deny devices/%c/<n>/firmware`.
    static func aclText() -> String {
        var lines: [String] = []
        for index in 0..<200 { lines.append("topic read public/\(index)/#") }
        lines.append("user bench-user")
        for index in 0..<300 { lines.append("topic readwrite plant/\(index)/+/temp") }
        for index in 0..<400 { lines.append("pattern readwrite devices/%c/\(index)/#") }
        for index in 0..<100 { lines.append("pattern deny devices/%c/\(index)/firmware") }
        return lines.joined(separator: "\n")
    }

    /// Topics of typical depth, a fifth of each kind: granted by a pattern, denied by a pattern, granted to the user,
    /// readable only, and matched by no rule.
    static func topics(clientID: String) -> [String] {
        (0..<1_024).map { index in
            switch index % 5 {
            case 0: "devices/\(clientID)/\(index % 400)/reading"
            case 1: "devices/\(clientID)/\(index % 100)/firmware"
            case 2: "plant/\(index % 300)/boiler/temp"
            case 3: "public/\(index % 200)/weather/now"
            default: "other/\(index)/not/granted"
            }
        }
    }

    func run() async throws {
        let iterations = context.options.quick ? 200_000 : 2_000_000
        context.progress("acl: \(Self.ruleCount) rules, \(iterations) checks each of publish and receive")
        let acl = try TopicAccessControl(parsing: Self.aclText())
        guard acl.rules.count == Self.ruleCount else {
            throw BenchError.failed("the ACL has \(acl.rules.count) rules, not \(Self.ruleCount)")
        }
        let protected = ["snbridge/#", "$SYS/#"]
        let compiled = acl.access(clientID: "board-7", username: "bench-user", protected: protected)
        let unrestricted = ClientTopicAccess.unrestricted(protected: protected)
        let topics = Self.topics(clientID: "board-7")
        let allowed = topics.filter { compiled.mayPublish(to: $0) }.count
        guard allowed > 0, allowed < topics.count else {
            throw BenchError.failed(
                "the ACL allows \(allowed) of \(topics.count) topics: the benchmark would not exercise both outcomes"
            )
        }
        for (name, access) in [("publish", compiled), ("publish (no acl_file)", unrestricted)] {
            let (nanoseconds, granted) = Self.measure(iterations: iterations, topics: topics) {
                access.mayPublish(to: $0)
            }
            report(
                name,
                nanoseconds: nanoseconds,
                iterations: iterations,
                granted: granted,
                judged: access.isRestrictive
            )
        }
        let (nanoseconds, granted) = Self.measure(iterations: iterations, topics: topics) {
            compiled.mayReceive(from: $0)
        }
        report("receive", nanoseconds: nanoseconds, iterations: iterations, granted: granted, judged: true)
    }

    private func report(_ check: String, nanoseconds: Double, iterations: Int, granted: Int, judged: Bool) {
        var result = ScenarioResult(scenario: "acl", path: check)
        result.latencyP50Microseconds = nanoseconds / 1_000
        result.latencySamples = iterations
        result.note =
            "\(ResultTable.format(nanoseconds, decimals: 0)) ns per check, \(granted) of \(iterations) granted"
        if judged {
            result.target =
                "ACL \(check) check with \(Self.ruleCount) rules < 1 µs: \(ResultTable.format(nanoseconds, decimals: 0)) ns"
            result.targetMet = nanoseconds < 1_000
        }
        context.report(result)
    }

    /// Mean nanoseconds per `check` over `iterations` checks cycling through `topics`, and how many were granted
    /// (reported, so the optimiser cannot drop the work).
    static func measure(iterations: Int, topics: [String], _ check: (String) -> Bool) -> (Double, Int) {
        for topic in topics { _ = check(topic) }  // warm-up
        var granted = 0
        let start = MonotonicClock.nanoseconds()
        for index in 0..<iterations where check(topics[index & 1023]) {
            granted &+= 1
        }
        let elapsed = MonotonicClock.nanoseconds() - start
        return (Double(elapsed) / Double(iterations), granted)
    }
}
