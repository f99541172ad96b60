/// MQTT topic filters held by many subscribers, matched against topic names in one walk over the topic's levels.
///
/// The aggregating gateway receives every broker message once, on a shared upstream session, and must find the
/// MQTT-SN clients whose subscriptions match it. A trie over topic levels makes that cost proportional to the
/// topic's depth and the number of matches, not to the number of subscriptions:
///
/// ```
///   filters  a/b   a/+   a/#   +/b   #          topic "a/b" visits:
///
///              (root)                            root ─a─▶ n1 ─b─▶ n2      exact:  a/b
///             /  |   \                           root ─a─▶ n1 ─+─▶ n3      one:    a/+
///           a    +    #{…}                       root ─a─▶ n1  #{…}         multi:  a/#
///          /      \                              root ─+─▶ n4 ─b─▶ n5      one:    +/b
///        n1        n4                            root  #{…}                multi:  #
///      / | \        \
///     b  +  #{…}     b
///    n2  n3          n5
/// ```
///
/// MQTT's rules (MQTT 3.1.1 §4.7, MQTT 5 §4.7): `+` matches exactly one level, which may be empty; `#` matches its
/// parent level and every level below (`sport/#` matches `sport`); a topic whose first level starts with `$` is not
/// matched by a filter whose first level is a wildcard (`#`, `+/…`), only by filters that spell the `$` level out.
///
/// Nodes live in one array and refer to each other by index, so the trie is a plain value (copy-on-write, no
/// reference cycles), and removed nodes are pruned and their slots reused.
public struct TopicFilterTrie<Subscriber: Hashable & Sendable>: Sendable {
    struct Node: Sendable {
        var children: [Substring: Int] = [:]
        /// The `+` child.
        var singleLevel: Int?
        /// Subscribers whose filter ends at this node.
        var subscribers: [Subscriber: UpstreamQoS] = [:]
        /// Subscribers whose filter is this node's path followed by `#`.
        var multiLevel: [Subscriber: UpstreamQoS] = [:]

        var isEmpty: Bool {
            self.children.isEmpty && self.singleLevel == nil && self.subscribers.isEmpty && self.multiLevel.isEmpty
        }
    }

    private(set) var nodes: [Node] = [Node()]
    private var freeNodes: [Int] = []
    /// How many (filter, subscriber) pairs are held.
    public private(set) var count = 0

    public init() {}

    /// Whether `filter` is a valid MQTT topic filter: not empty, `#` only as the whole last level, `+` only as a
    /// whole level, no NUL character.
    public static func isValidFilter(_ filter: String) -> Bool {
        guard !filter.isEmpty, !filter.utf8.contains(0) else {
            return false
        }
        let levels = filter.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        for (index, level) in levels.enumerated() {
            let hasHash = level.contains(UInt8(ascii: "#"))
            let hasPlus = level.contains(UInt8(ascii: "+"))
            if hasHash && (level.count != 1 || index != levels.count - 1) {
                return false
            }
            if hasPlus && level.count != 1 {
                return false
            }
        }
        return true
    }

    /// Adds `subscriber` under `filter` with `qos`, or changes its QoS if it already holds that filter.
    ///
    /// - Returns: the QoS the subscriber held under this filter before, `nil` if it was new.
    /// - Precondition: `filter` is valid (``isValidFilter(_:)``).
    @discardableResult
    public mutating func insert(filter: String, subscriber: Subscriber, qos: UpstreamQoS) -> UpstreamQoS? {
        var node = 0
        var levels = filter.split(separator: "/", omittingEmptySubsequences: false)[...]
        while let level = levels.popFirst() {
            if level == "#" {
                let previous = self.nodes[node].multiLevel.updateValue(qos, forKey: subscriber)
                if previous == nil { self.count += 1 }
                return previous
            }
            node = self.child(of: node, level: level)
        }
        let previous = self.nodes[node].subscribers.updateValue(qos, forKey: subscriber)
        if previous == nil { self.count += 1 }
        return previous
    }

    /// Removes `subscriber` from `filter`.
    ///
    /// - Returns: the QoS it held, `nil` if it did not hold the filter.
    @discardableResult
    public mutating func remove(filter: String, subscriber: Subscriber) -> UpstreamQoS? {
        // The path from the root, as (parent, how the parent reaches the child), for pruning afterwards.
        var path: [(parent: Int, level: Substring)] = []
        var node = 0
        var removed: UpstreamQoS?
        var levels = filter.split(separator: "/", omittingEmptySubsequences: false)[...]
        walk: while true {
            guard let level = levels.popFirst() else {
                removed = self.nodes[node].subscribers.removeValue(forKey: subscriber)
                break walk
            }
            if level == "#" {
                removed = self.nodes[node].multiLevel.removeValue(forKey: subscriber)
                break walk
            }
            let next = level == "+" ? self.nodes[node].singleLevel : self.nodes[node].children[level]
            guard let next else {
                return nil
            }
            path.append((node, level))
            node = next
        }
        guard removed != nil else {
            return nil
        }
        self.count -= 1
        // Prune nodes left with nothing, from the leaf up; the root stays.
        while let (parent, level) = path.last, self.nodes[node].isEmpty {
            if level == "+" {
                self.nodes[parent].singleLevel = nil
            } else {
                self.nodes[parent].children.removeValue(forKey: level)
            }
            self.nodes[node] = Node()
            self.freeNodes.append(node)
            node = parent
            path.removeLast()
        }
        return removed
    }

    /// Calls `body` once for every (subscriber, QoS) whose filter matches `topic`.
    ///
    /// A subscriber holding several matching filters is reported once per filter; ``matches(_:)`` folds them.
    public func forEachMatch(of topic: String, _ body: (Subscriber, UpstreamQoS) -> Void) {
        let levels = topic.split(separator: "/", omittingEmptySubsequences: false)
        let isSystemTopic = topic.utf8.first == UInt8(ascii: "$")
        self.visit(node: 0, levels: levels[...], isFirstLevel: true, isSystemTopic: isSystemTopic, body)
    }

    /// Every subscriber whose filters match `topic`, with the highest QoS among its matching filters (MQTT 3.1.1
    /// §3.3.5: the server delivers once, at the maximum QoS of the overlapping subscriptions).
    public func matches(_ topic: String) -> [Subscriber: UpstreamQoS] {
        var result: [Subscriber: UpstreamQoS] = [:]
        self.forEachMatch(of: topic) { subscriber, qos in
            if let existing = result[subscriber], existing >= qos {
                return
            }
            result[subscriber] = qos
        }
        return result
    }

    private func visit(
        node: Int,
        levels: ArraySlice<Substring>,
        isFirstLevel: Bool,
        isSystemTopic: Bool,
        _ body: (Subscriber, UpstreamQoS) -> Void
    ) {
        let current = self.nodes[node]
        let wildcardsApply = !(isFirstLevel && isSystemTopic)
        // `#` here matches the remaining levels, and also this level itself (`a/#` matches `a`).
        if wildcardsApply {
            for (subscriber, qos) in current.multiLevel { body(subscriber, qos) }
        }
        guard let level = levels.first else {
            for (subscriber, qos) in current.subscribers { body(subscriber, qos) }
            return
        }
        let rest = levels.dropFirst()
        if let next = current.children[level] {
            self.visit(node: next, levels: rest, isFirstLevel: false, isSystemTopic: isSystemTopic, body)
        }
        if wildcardsApply, let next = current.singleLevel {
            self.visit(node: next, levels: rest, isFirstLevel: false, isSystemTopic: isSystemTopic, body)
        }
    }

    private mutating func child(of node: Int, level: Substring) -> Int {
        if level == "+" {
            if let existing = self.nodes[node].singleLevel {
                return existing
            }
            let created = self.makeNode()
            self.nodes[node].singleLevel = created
            return created
        }
        if let existing = self.nodes[node].children[level] {
            return existing
        }
        let created = self.makeNode()
        // Keys are slices of the caller's string; store an independent copy so the trie owns its storage.
        self.nodes[node].children[Substring(String(level))] = created
        return created
    }

    private mutating func makeNode() -> Int {
        if let reused = self.freeNodes.popLast() {
            return reused
        }
        self.nodes.append(Node())
        return self.nodes.count - 1
    }
}
