extension TopicAccessControl {
    /// The rules that apply to one client, with `%c` and `%u` substituted, compiled for matching.
    ///
    /// `protected` filters are denied for writing in addition to the file's rules and cannot be overridden.
    public func access(clientID: String, username: String, protected: [String]) -> ClientTopicAccess {
        var compiled = ClientTopicAccess(isRestrictive: true)
        let substitutable = Self.isSubstitutable(clientID) && Self.isSubstitutable(username)
        for rule in self.rules {
            if rule.isPattern {
                if rule.filter.contains("%c") || rule.filter.contains("%u") {
                    guard substitutable else { continue }
                    let filter = rule.filter.replacing("%c", with: clientID).replacing("%u", with: username)
                    compiled.add(filter: filter, access: rule.access)
                } else {
                    compiled.add(filter: rule.filter, access: rule.access)
                }
            } else if rule.user == nil || rule.user == username {
                compiled.add(filter: rule.filter, access: rule.access)
            }
        }
        compiled.protect(protected)
        return compiled
    }

    /// Whether a client id or user name can stand in a topic level without changing the filter's meaning.
    static func isSubstitutable(_ name: String) -> Bool {
        !name.isEmpty
            && !name.utf8.contains(where: {
                $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "#")
            })
    }
}
