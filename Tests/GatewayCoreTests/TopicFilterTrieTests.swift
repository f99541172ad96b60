import Testing

@testable import GatewayCore

@Suite("Topic filter trie: MQTT wildcard matching for the aggregating gateway")
struct TopicFilterTrieTests {
    /// (filter, topic, matches), from MQTT 3.1.1 §4.7 and MQTT 5 §4.7's examples and their edge cases.
    static let matchingTable: [(String, String, Bool)] = [
        ("sport/tennis/player1", "sport/tennis/player1", true),
        ("sport/tennis/player1", "sport/tennis/player2", false),
        ("sport/tennis/player1", "sport/tennis", false),
        ("sport/tennis/player1/#", "sport/tennis/player1", true),
        ("sport/tennis/player1/#", "sport/tennis/player1/ranking", true),
        ("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true),
        ("sport/#", "sport", true),
        ("sport/#", "sports", false),
        ("#", "sport/tennis", true),
        ("#", "/", true),
        ("sport/tennis/+", "sport/tennis/player1", true),
        ("sport/tennis/+", "sport/tennis/player1/ranking", false),
        ("sport/+", "sport", false),
        ("sport/+", "sport/", true),
        ("+", "sport", true),
        ("+", "/finance", false),
        ("+/+", "/finance", true),
        ("/+", "/finance", true),
        ("+/tennis/#", "sport/tennis/player1", true),
        ("+/tennis/#", "sport/tennis", true),
        ("+/tennis/#", "sport/golf", false),
        ("a//b", "a//b", true),
        ("a/+/b", "a//b", true),
        ("A/b", "a/b", false),
        // Topics starting with `$` are not matched by a leading wildcard (§4.7.2).
        ("#", "$SYS/broker/uptime", false),
        ("+/monitor/Clients", "$SYS/monitor/Clients", false),
        ("$SYS/#", "$SYS/monitor/Clients", true),
        ("$SYS/monitor/+", "$SYS/monitor/Clients", true),
        ("$SYS/+/Clients", "$SYS/monitor/Clients", true),
        ("snbridge/#", "snbridge/$devices", true),
        ("+/+", "x/$y", true),
    ]

    @Test("MQTT's matching rules, one filter at a time")
    func matchingRules() {
        for (filter, topic, expected) in Self.matchingTable {
            #expect(TopicFilterTrie<Int>.isValidFilter(filter), "\(filter)")
            var trie = TopicFilterTrie<Int>()
            trie.insert(filter: filter, subscriber: 1, qos: .atLeastOnce)
            #expect((trie.matches(topic)[1] != nil) == expected, "\(filter) against \(topic)")
        }
    }

    @Test("All filters in one trie: each topic finds exactly the filters that match it alone")
    func allFiltersTogether() {
        var trie = TopicFilterTrie<Int>()
        let filters = Array(Set(Self.matchingTable.map(\.0))).sorted()
        for (index, filter) in filters.enumerated() {
            trie.insert(filter: filter, subscriber: index, qos: .atMostOnce)
        }
        for topic in Set(Self.matchingTable.map(\.1)) {
            var expected: Set<Int> = []
            for (index, filter) in filters.enumerated() {
                var single = TopicFilterTrie<Int>()
                single.insert(filter: filter, subscriber: index, qos: .atMostOnce)
                if single.matches(topic)[index] != nil { expected.insert(index) }
            }
            #expect(Set(trie.matches(topic).keys) == expected, "\(topic)")
        }
    }

    @Test("Invalid filters are recognised")
    func invalidFilters() {
        for filter in ["", "sport/tennis#", "sport/#/ranking", "sport+", "sport/+tennis", "##", "a/\u{0}"] {
            #expect(!TopicFilterTrie<Int>.isValidFilter(filter), "\(filter)")
        }
    }

    @Test("A subscriber with overlapping filters gets the highest QoS; removal prunes and reuses nodes")
    func overlapsAndRemoval() {
        var trie = TopicFilterTrie<String>()
        #expect(trie.insert(filter: "plant/+/temp", subscriber: "a", qos: .atMostOnce) == nil)
        #expect(trie.insert(filter: "plant/#", subscriber: "a", qos: .exactlyOnce) == nil)
        #expect(trie.insert(filter: "plant/p1/temp", subscriber: "b", qos: .atLeastOnce) == nil)
        #expect(trie.insert(filter: "plant/p1/temp", subscriber: "b", qos: .exactlyOnce) == .atLeastOnce)
        #expect(trie.count == 3)
        #expect(trie.matches("plant/p1/temp") == ["a": .exactlyOnce, "b": .exactlyOnce])
        #expect(trie.matches("plant/p1/humidity") == ["a": .exactlyOnce])

        let nodesBefore = trie.nodes.count
        #expect(trie.remove(filter: "plant/#", subscriber: "a") == .exactlyOnce)
        #expect(trie.remove(filter: "plant/#", subscriber: "a") == nil)
        #expect(trie.remove(filter: "plant/+/temp", subscriber: "b") == nil)
        #expect(trie.matches("plant/p1/temp") == ["a": .atMostOnce, "b": .exactlyOnce])
        #expect(trie.remove(filter: "plant/+/temp", subscriber: "a") == .atMostOnce)
        #expect(trie.remove(filter: "plant/p1/temp", subscriber: "b") == .exactlyOnce)
        #expect(trie.count == 0)
        #expect(trie.matches("plant/p1/temp").isEmpty)
        #expect(trie.nodes.dropFirst().allSatisfy { $0.isEmpty })

        // Freed nodes are reused rather than growing the array.
        trie.insert(filter: "other/x/y", subscriber: "c", qos: .atMostOnce)
        #expect(trie.nodes.count == nodesBefore)
    }
}

@Suite("Shared subscriptions: one broker subscription per filter, reference-counted")
struct SharedSubscriptionsTests {
    @Test("The upstream subscription follows the highest QoS and goes with the last client")
    func referenceCounting() {
        var shared = SharedSubscriptions<String>()
        #expect(
            shared.subscribe("a", to: "plant/+/temp", qos: .atLeastOnce)
                == .subscribe(filter: "plant/+/temp", qos: .atLeastOnce)
        )
        #expect(
            shared.subscribe("b", to: "plant/+/temp", qos: .exactlyOnce)
                == .subscribe(filter: "plant/+/temp", qos: .exactlyOnce)
        )
        #expect(
            shared.subscribe("c", to: "plant/+/temp", qos: .atMostOnce)
                == .subscribe(filter: "plant/+/temp", qos: .exactlyOnce)
        )
        #expect(shared.filterCount == 1)
        #expect(shared.unsubscribe("b", from: "plant/+/temp") == .subscribe(filter: "plant/+/temp", qos: .atLeastOnce))
        #expect(shared.unsubscribe("c", from: "plant/+/temp") == nil)
        #expect(shared.unsubscribe("c", from: "plant/+/temp") == nil)
        #expect(shared.unsubscribe("a", from: "plant/+/temp") == .unsubscribe(filter: "plant/+/temp"))
        #expect(shared.filterCount == 0)
    }

    @Test("Each client gets its matches at the lower of its granted QoS and the message's")
    func recipients() {
        var shared = SharedSubscriptions<String>()
        _ = shared.subscribe("a", to: "plant/#", qos: .exactlyOnce)
        _ = shared.subscribe("b", to: "plant/p1/temp", qos: .atMostOnce)
        _ = shared.subscribe("c", to: "other/#", qos: .exactlyOnce)
        shared.retainedWindowClosed(filter: "plant/#")
        shared.retainedWindowClosed(filter: "plant/p1/temp")
        shared.retainedWindowClosed(filter: "other/#")
        #expect(
            shared.recipients(topic: "plant/p1/temp", qos: .atLeastOnce, retain: false) == [
                "a": .atLeastOnce, "b": .atMostOnce,
            ]
        )
        #expect(shared.recipients(topic: "$SYS/x", qos: .atLeastOnce, retain: false).isEmpty)
        #expect(shared.recipients(topic: "plant/p1/temp", qos: .atLeastOnce, retain: true).isEmpty)
    }

    @Test("Retained messages go only to the late subscriber that asked for them")
    func retainedForLateSubscriber() {
        var shared = SharedSubscriptions<String>()
        _ = shared.subscribe("a", to: "plant/+/temp", qos: .atLeastOnce)
        shared.retainedWindowClosed(filter: "plant/+/temp")
        #expect(
            shared.subscribe("b", to: "plant/+/temp", qos: .atLeastOnce)
                == .subscribe(filter: "plant/+/temp", qos: .atLeastOnce)
        )
        #expect(shared.recipients(topic: "plant/p1/temp", qos: .atLeastOnce, retain: true) == ["b": .atLeastOnce])
        #expect(
            shared.recipients(topic: "plant/p1/temp", qos: .atLeastOnce, retain: false) == [
                "a": .atLeastOnce, "b": .atLeastOnce,
            ]
        )
        shared.retainedWindowClosed(filter: "plant/+/temp")
        #expect(shared.recipients(topic: "plant/p1/temp", qos: .atLeastOnce, retain: true).isEmpty)
    }

    @Test(
        "With the matched subscriptions named (MQTT 5 identifiers), each broker copy reaches only its filter's clients"
    )
    func recipientsAmongNamedFilters() {
        var shared = SharedSubscriptions<String>()
        _ = shared.subscribe("a", to: "plant/+/cmd", qos: .atLeastOnce)
        _ = shared.subscribe("b", to: "plant/#", qos: .atMostOnce)
        shared.retainedWindowClosed(filter: "plant/+/cmd")
        // One copy per matching subscription, as mosquitto sends them: each client gets exactly one.
        #expect(shared.recipients(qos: .atLeastOnce, retain: false, among: ["plant/+/cmd"]) == ["a": .atLeastOnce])
        #expect(shared.recipients(qos: .atLeastOnce, retain: false, among: ["plant/#"]) == ["b": .atMostOnce])
        // One copy naming both: both clients.
        #expect(
            shared.recipients(qos: .atLeastOnce, retain: false, among: ["plant/+/cmd", "plant/#"]) == [
                "a": .atLeastOnce, "b": .atMostOnce,
            ]
        )
        // Retained: only b's window is open.
        #expect(
            shared.recipients(qos: .atLeastOnce, retain: true, among: ["plant/+/cmd", "plant/#"]) == ["b": .atMostOnce]
        )
        #expect(shared.recipients(qos: .atLeastOnce, retain: false, among: ["gone/#"]).isEmpty)
    }

    @Test("A clean session removes every subscription of its client")
    func removeAll() {
        var shared = SharedSubscriptions<String>()
        _ = shared.subscribe("a", to: "x/#", qos: .atLeastOnce)
        _ = shared.subscribe("a", to: "y", qos: .atLeastOnce)
        _ = shared.subscribe("b", to: "y", qos: .atMostOnce)
        #expect(shared.removeAll(of: "a") == [.unsubscribe(filter: "x/#"), .subscribe(filter: "y", qos: .atMostOnce)])
        #expect(shared.filterCount == 1)
        #expect(shared.recipients(topic: "x/1", qos: .atLeastOnce, retain: false).isEmpty)
    }
}
