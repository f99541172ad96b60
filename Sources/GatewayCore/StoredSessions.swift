import SessionStore

/// What the gateway engine knows of the sessions it keeps in the durable session store: which may have changed
/// since they were last saved, what was saved, and each one's incarnation (the topic-id rule, ``TopicIDBlocks``).
///
/// Only used on the engine's event loop. Without a durable store (`state.directory: none`) ``store`` is `nil` and
/// nothing is kept.
struct StoredSessions {
    /// The store, when it is durable.
    let store: (any SessionPersistence)?
    /// Client ids whose session may have changed since it was last saved; saved (or removed) at the end of the
    /// event loop's turn.
    var changed: Set<String> = []
    var isSaveScheduled = false
    /// The record last handed to the store, by client id: a session whose record is unchanged is not written again.
    var saved: [String: ClientSessionRecord] = [:]
    /// The ticket of the last write of each stored session; a reply that must wait for durability waits for it.
    var tickets: [String: SessionStoreTicket] = [:]
    /// The incarnation of each session that has one (from ``SessionPersistence/allocateIncarnation()``).
    var incarnations: [String: UInt64] = [:]
    /// Clients whose outage-buffer messages are being forwarded to the broker now.
    var forwarding: Set<String> = []
    /// "Outage buffer full" notices, at most one a second.
    var outageFullWarnings = WarningThrottle()

    init(store: (any SessionPersistence)?) {
        self.store = store?.isDurable == true ? store : nil
    }

    /// `ClientSessionRecord`'s own encoding version, as the store's `formatVersion`.
    static var formatVersion: Int { ClientSessionRecord.currentVersion }
}
