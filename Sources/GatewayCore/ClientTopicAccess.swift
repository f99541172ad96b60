/// One client's topic rules, compiled into a trie of topic levels so that a check costs one walk down the topic's
/// levels, however many rules there are.
///
/// ```
/// rules: plant/+/temp (read)   plant/boiler/# (write)   # (deny: none)
///
///  root ─"plant"─▶ n1 ─"+"──────▶ n2 ─"temp"─▶ n3  exact: read
///                    └─"boiler"─▶ n4            "#": write
/// ```
///
/// A node's `exact` bits apply to topics ending at it, its `remainder` bits (from a `#` after it) to every topic
/// below it and to the node itself. Topics starting with `$` are not matched by a leading `+` or `#`, as in MQTT.
public struct ClientTopicAccess: Sendable {
    public typealias Access = TopicAccessControl.Rule.Access

    private struct Node: Sendable {
        var literals: [Substring: Int] = [:]
        var plus: Int?
        var exact: Access = []
        var remainder: Access = []
    }

    /// A deny that only refuses writing: the built-in protection of the status prefix and `$SYS`.
    private static let protectedWrite = Access(rawValue: 8)

    private var nodes: [Node] = [Node()]
    /// The filters again, for checking whether a subscription lies within one (rare, so a list is fine).
    private var filters: [(levels: [Substring], access: Access)] = []
    /// Whether only what a rule grants is allowed (an ACL file is configured); otherwise only protected topics are
    /// refused, and only for writing.
    public let isRestrictive: Bool

    init(isRestrictive: Bool) {
        self.isRestrictive = isRestrictive
    }

    /// Access without an ACL file: everything but writing to `protected`.
    public static func unrestricted(protected: [String]) -> ClientTopicAccess {
        var access = ClientTopicAccess(isRestrictive: false)
        access.protect(protected)
        return access
    }

    mutating func add(filter: String, access: Access) {
        let levels = filter.split(separator: "/", omittingEmptySubsequences: false)
        self.filters.append((levels, access))
        var node = 0
        for level in levels {
            if level == "#" {
                self.nodes[node].remainder.formUnion(access)
                return
            }
            if level == "+" {
                if let next = self.nodes[node].plus {
                    node = next
                } else {
                    self.nodes.append(Node())
                    self.nodes[node].plus = self.nodes.count - 1
                    node = self.nodes.count - 1
                }
            } else if let next = self.nodes[node].literals[level] {
                node = next
            } else {
                self.nodes.append(Node())
                self.nodes[node].literals[level] = self.nodes.count - 1
                node = self.nodes.count - 1
            }
        }
        self.nodes[node].exact.formUnion(access)
    }

    mutating func protect(_ filters: [String]) {
        for filter in filters {
            self.add(filter: filter, access: Self.protectedWrite)
        }
    }

    /// Whether the client may publish to `topic` (PUBLISH, REGISTER, will).
    public func mayPublish(to topic: String) -> Bool {
        let access = self.access(for: topic)
        if access.contains(.deny) || access.contains(Self.protectedWrite) {
            return false
        }
        return !self.isRestrictive || access.contains(.write)
    }

    /// Whether a broker message on `topic` may be delivered to the client.
    public func mayReceive(from topic: String) -> Bool {
        guard self.isRestrictive else { return true }
        let access = self.access(for: topic)
        return !access.contains(.deny) && access.contains(.read)
    }

    /// Whether the client may subscribe to `filter`: some readable rule covers every topic it matches, and no
    /// deny rule covers it all. Messages on topics a narrower deny rule matches are held back at delivery.
    public func maySubscribe(to filter: String) -> Bool {
        guard self.isRestrictive else { return true }
        let levels = filter.split(separator: "/", omittingEmptySubsequences: false)
        var readable = false
        for rule in self.filters where Self.covers(rule.levels, levels) {
            if rule.access.contains(.deny) { return false }
            if rule.access.contains(.read) { readable = true }
        }
        return readable
    }

    /// The union of the access bits of every rule matching `topic`.
    func access(for topic: String) -> Access {
        var result: Access = []
        self.collect(
            node: 0,
            remaining: topic[...],
            isFirstLevel: true,
            isSystem: topic.utf8.first == UInt8(ascii: "$"),
            into: &result
        )
        return result
    }

    private func collect(
        node: Int,
        remaining: Substring?,
        isFirstLevel: Bool,
        isSystem: Bool,
        into result: inout Access
    ) {
        let current = self.nodes[node]
        let wildcardsMatch = !(isFirstLevel && isSystem)
        if wildcardsMatch {
            result.formUnion(current.remainder)
        }
        guard let remaining else {
            result.formUnion(current.exact)
            return
        }
        let level: Substring
        let rest: Substring?
        if let slash = remaining.utf8.firstIndex(of: UInt8(ascii: "/")) {
            level = remaining[remaining.startIndex..<slash]
            rest = remaining[remaining.index(after: slash)...]
        } else {
            level = remaining
            rest = nil
        }
        if let next = current.literals[level] {
            self.collect(node: next, remaining: rest, isFirstLevel: false, isSystem: isSystem, into: &result)
        }
        if wildcardsMatch, let next = current.plus {
            self.collect(node: next, remaining: rest, isFirstLevel: false, isSystem: isSystem, into: &result)
        }
    }

    /// Whether every topic `inner` matches is matched by `outer` (both topic filters, split into levels).
    static func covers(_ outer: [Substring], _ inner: [Substring]) -> Bool {
        for (index, level) in outer.enumerated() {
            if level == "#" {
                // `$SYS/#` is not inside `#`.
                return !(index == 0 && inner.first?.hasPrefix("$") == true)
            }
            guard index < inner.count else { return false }
            let candidate = inner[index]
            if candidate == "#" { return false }
            if level == "+" {
                if candidate == "+" { continue }
                if index == 0 && candidate.hasPrefix("$") { return false }
                continue
            }
            if candidate != level { return false }
        }
        return outer.count == inner.count
    }
}
