/// What mosquitto logged (it runs with `log_type all`), read for what the broker saw of the bridge.
extension BridgeTestbed {
    /// The client ids mosquitto saw connecting.
    var brokerClientIDs: Set<String> {
        var ids = Set<String>()
        for line in self.broker.log where line.contains("New client connected") {
            guard let range = line.range(of: " as ") else { continue }
            ids.insert(String(line[range.upperBound...].prefix { $0 != " " }))
        }
        return ids
    }

    /// The SUBSCRIBE and UNSUBSCRIBE requests mosquitto logged, in order: which client, which filter.
    ///
    /// ```
    /// 1796193462: Received SUBSCRIBE from agg-snbridge-host-1-1
    /// 1796193462: \tplant/+/cmd (QoS 1)
    /// ```
    var brokerSubscriptionLog: [(unsubscribe: Bool, clientID: String, filter: String)] {
        var entries: [(unsubscribe: Bool, clientID: String, filter: String)] = []
        var current: (unsubscribe: Bool, clientID: String)?
        for line in self.broker.log {
            if let range = line.range(of: "Received UNSUBSCRIBE from ") {
                current = (true, String(line[range.upperBound...]))
            } else if let range = line.range(of: "Received SUBSCRIBE from ") {
                current = (false, String(line[range.upperBound...]))
            } else if let request = current, let tab = line.firstIndex(of: "\t") {
                let filter = line[line.index(after: tab)...].split(separator: " (QoS").first.map(String.init) ?? ""
                entries.append((request.unsubscribe, request.clientID, filter))
            } else {
                current = nil
            }
        }
        return entries
    }
}
