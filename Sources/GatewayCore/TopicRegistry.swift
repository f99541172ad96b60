import MQTTSN

/// One client's topic ids: those the gateway assigned (REGISTER from either side, SUBSCRIBE to a plain name), plus
/// read access to the predefined ids configured for everyone and for this client.
///
/// Assigned ids live in their own namespace (topic id type "normal"); predefined ids and short names have their
/// own id types, so they never collide with assigned ones. Only assigned ids count against the limit.
struct TopicRegistry: Sendable {
    /// The result of asking for an id for a topic name.
    enum Registration: Equatable, Sendable {
        /// The name already had this id.
        case existing(UInt16)
        /// The name got this new id.
        case assigned(UInt16)
        /// The client holds its maximum number of ids.
        case full
    }

    private var idsByName: [String: UInt16] = [:]
    private var namesByID: [UInt16: String] = [:]
    private var nextID: UInt16 = 1
    private let limit: Int
    /// Shared, copy-on-write: configured once per gateway (and per overridden client), never copied per session.
    private let predefined: PredefinedTopics

    /// A registry whose assignments start at `firstID` (see ``TopicIDBlocks``).
    init(limit: Int, predefined: PredefinedTopics, firstID: UInt16 = 1) {
        self.limit = limit
        self.predefined = predefined
        self.nextID = firstID
    }

    /// Restores a registry from its stored form (``assigned``, ``nextAssignedID``).
    init(limit: Int, predefined: PredefinedTopics, assigned: [UInt16: String], nextID: UInt16) {
        self.limit = limit
        self.predefined = predefined
        self.namesByID = assigned
        self.idsByName = Dictionary(assigned.map { ($0.value, $0.key) }, uniquingKeysWith: min)
        self.nextID = nextID
    }

    /// The assigned ids and their names, for storing.
    var assigned: [UInt16: String] { self.namesByID }
    /// The id the next assignment starts looking from, for storing.
    var nextAssignedID: UInt16 { self.nextID }

    /// How many ids were assigned.
    var count: Int { self.namesByID.count }

    /// An id for `topicName`, assigning one if needed.
    mutating func register(_ topicName: String) -> Registration {
        if let id = self.idsByName[topicName] {
            return .existing(id)
        }
        guard self.namesByID.count < self.limit else {
            return .full
        }
        // Skip ids still in use after the counter wrapped; the limit guarantees a free one exists.
        while self.nextID == 0 || self.nextID == 0xFFFF || self.namesByID[self.nextID] != nil {
            self.nextID &+= 1
        }
        let id = self.nextID
        self.nextID &+= 1
        self.idsByName[topicName] = id
        self.namesByID[id] = topicName
        return .assigned(id)
    }

    /// Forgets an assigned id (e.g. when the client refused a gateway REGISTER).
    mutating func remove(id: UInt16) {
        if let name = self.namesByID.removeValue(forKey: id) {
            self.idsByName.removeValue(forKey: name)
        }
    }

    /// The topic name a PUBLISH (or UNSUBSCRIBE) refers to, or `nil` when the id is unknown.
    func topicName(for topicID: UInt16, type: MQTTSNTopicIDType) -> String? {
        switch type {
        case .normal:
            return self.namesByID[topicID]
        case .predefined:
            return self.predefined.name(for: topicID)
        case .shortName:
            return MQTTSNShortTopicName(rawValue: topicID).name
        }
    }

    /// How to address `topicName` in a PUBLISH to the client without registering first, or `nil` when a REGISTER
    /// is needed. Assigned ids win over predefined ones, which win over short names.
    func outboundTopic(for topicName: String) -> (type: MQTTSNTopicIDType, id: UInt16)? {
        if let id = self.idsByName[topicName] {
            return (.normal, id)
        }
        if let id = self.predefined.id(for: topicName) {
            return (.predefined, id)
        }
        if let short = MQTTSNShortTopicName(topicName) {
            return (.shortName, short.rawValue)
        }
        return nil
    }
}
