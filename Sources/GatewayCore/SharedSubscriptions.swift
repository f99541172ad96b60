/// The subscriptions of many MQTT-SN clients carried by one shared upstream session (aggregating mode).
///
/// Each distinct topic filter is subscribed upstream once, at the highest QoS any client asked for, and
/// unsubscribed when its last client goes. Incoming broker messages are matched to clients through a
/// ``TopicFilterTrie``.
///
/// ```
///   client A: SUBSCRIBE plant/+/temp QoS 1 ──▶ upstream SUBSCRIBE plant/+/temp QoS 1   (new filter)
///   client B: SUBSCRIBE plant/+/temp QoS 2 ──▶ upstream SUBSCRIBE plant/+/temp QoS 2   (QoS raised)
///   client C: SUBSCRIBE plant/+/temp QoS 0 ──▶ upstream SUBSCRIBE plant/+/temp QoS 2   (retained for C only)
///   client B: UNSUBSCRIBE                  ──▶ upstream SUBSCRIBE plant/+/temp QoS 1   (QoS lowered)
///   A and C:  UNSUBSCRIBE                  ──▶ upstream UNSUBSCRIBE plant/+/temp        (last one gone)
/// ```
///
/// Retained messages: a client that subscribes to a filter another client already holds still expects the
/// retained messages. Sending the same SUBSCRIBE again makes the broker re-send them (MQTT 3.1.1 §3.8.4, MQTT 5
/// Retain Handling 0), with the RETAIN flag set (§3.3.1.3: set only for messages sent because of a new
/// subscription). So a message that arrives with RETAIN set is delivered only to the clients waiting for the
/// retained messages of a matching filter, and live messages (RETAIN clear) to every matching client.
public struct SharedSubscriptions<Client: Hashable & Sendable>: Sendable {
    /// What the shared upstream session has to do after a change.
    public enum UpstreamChange: Equatable, Sendable {
        /// SUBSCRIBE (again) with this QoS: a new filter, a changed maximum QoS, or a late subscriber's retained
        /// messages.
        case subscribe(filter: String, qos: UpstreamQoS)
        /// UNSUBSCRIBE: the filter's last client went.
        case unsubscribe(filter: String)
    }

    private var clientsByFilter: [String: [Client: UpstreamQoS]] = [:]
    private var trie = TopicFilterTrie<Client>()
    /// Clients that asked for a filter's retained messages and have not had them yet, by filter.
    private var awaitingRetained: [String: Set<Client>] = [:]

    public init() {}

    /// How many distinct filters are subscribed upstream.
    public var filterCount: Int { self.clientsByFilter.count }

    /// The QoS the upstream subscription to `filter` has (the highest any client asked for).
    public func upstreamQoS(of filter: String) -> UpstreamQoS? {
        self.clientsByFilter[filter]?.values.max()
    }

    /// `client` subscribes to `filter` (valid per ``TopicFilterTrie/isValidFilter(_:)``) at `qos`.
    public mutating func subscribe(_ client: Client, to filter: String, qos: UpstreamQoS) -> UpstreamChange {
        let before = self.upstreamQoS(of: filter)
        self.clientsByFilter[filter, default: [:]][client] = qos
        self.trie.insert(filter: filter, subscriber: client, qos: qos)
        // Only the newest subscriber waits: the broker re-sends the retained messages for this SUBSCRIBE, and every
        // earlier subscriber of the filter has had its own (see ``retainedWindowClosed(filter:)``).
        self.awaitingRetained[filter] = [client]
        // Always subscribe: a new filter, a raised QoS, or the same QoS again for this client's retained messages.
        return .subscribe(filter: filter, qos: max(before ?? qos, qos))
    }

    /// `client` unsubscribes from `filter`; `nil` when nothing changes upstream.
    public mutating func unsubscribe(_ client: Client, from filter: String) -> UpstreamChange? {
        guard var clients = self.clientsByFilter[filter], let removed = clients.removeValue(forKey: client) else {
            return nil
        }
        self.trie.remove(filter: filter, subscriber: client)
        self.awaitingRetained[filter]?.remove(client)
        guard let remainingQoS = clients.values.max() else {
            self.clientsByFilter.removeValue(forKey: filter)
            self.awaitingRetained.removeValue(forKey: filter)
            return .unsubscribe(filter: filter)
        }
        self.clientsByFilter[filter] = clients
        return removed > remainingQoS ? .subscribe(filter: filter, qos: remainingQoS) : nil
    }

    /// Removes every subscription of `client` (a clean session, a lost client).
    public mutating func removeAll(of client: Client) -> [UpstreamChange] {
        let filters = self.clientsByFilter.compactMap { $0.value[client] == nil ? nil : $0.key }
        return filters.sorted().compactMap { self.unsubscribe(client, from: $0) }
    }

    /// The retained messages of the last SUBSCRIBE to `filter` have had time to arrive: later messages with
    /// RETAIN set are not for its waiting client any more. The gateway calls this a short, fixed time after the
    /// SUBACK (brokers send a filter's retained messages right after it).
    public mutating func retainedWindowClosed(filter: String) {
        self.awaitingRetained.removeValue(forKey: filter)
    }

    /// The clients a broker message is for, each with the QoS it gets: the lower of the message's QoS and the
    /// highest QoS among the client's matching filters.
    public mutating func recipients(topic: String, qos: UpstreamQoS, retain: Bool) -> [Client: UpstreamQoS] {
        var result: [Client: UpstreamQoS] = [:]
        if retain {
            for (filter, waiting) in self.awaitingRetained where !waiting.isEmpty {
                guard Self.filter(filter, matches: topic), let clients = self.clientsByFilter[filter] else {
                    continue
                }
                for client in waiting {
                    if let granted = clients[client] {
                        result[client] = max(result[client] ?? .atMostOnce, min(granted, qos))
                    }
                }
            }
            return result
        }
        self.trie.forEachMatch(of: topic) { client, granted in
            result[client] = max(result[client] ?? .atMostOnce, min(granted, qos))
        }
        return result
    }

    /// The clients a broker message is for when the broker named the subscriptions it matched (MQTT 5
    /// subscription identifiers): only the clients of `filters`, each with the lower of the message's QoS and its
    /// own QoS under them. A broker may send one copy per matching subscription; each copy then reaches only the
    /// clients of its own filters, so overlapping filters of different clients never double a delivery.
    public func recipients(qos: UpstreamQoS, retain: Bool, among filters: [String]) -> [Client: UpstreamQoS] {
        var result: [Client: UpstreamQoS] = [:]
        for filter in filters {
            guard let clients = self.clientsByFilter[filter] else { continue }
            if retain {
                for client in self.awaitingRetained[filter] ?? [] {
                    if let granted = clients[client] {
                        result[client] = max(result[client] ?? .atMostOnce, min(granted, qos))
                    }
                }
            } else {
                for (client, granted) in clients {
                    result[client] = max(result[client] ?? .atMostOnce, min(granted, qos))
                }
            }
        }
        return result
    }

    /// Whether `filter` matches `topic` under MQTT's rules (for the rare retained path; the trie serves the rest).
    static func filter(_ filter: String, matches topic: String) -> Bool {
        var single = TopicFilterTrie<Bool>()
        single.insert(filter: filter, subscriber: true, qos: .atMostOnce)
        return single.matches(topic)[true] != nil
    }
}
