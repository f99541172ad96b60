import NIOCore

/// What the gateway asks of its session store; ``SessionStore`` is the implementation.
///
/// Every method may be called on an event loop: none blocks on I/O. Writes are queued and committed behind the
/// caller's back, several per transaction, and a newer ``save(_:)`` of a session replaces a queued one. Where a
/// reply to a device must wait until a write survives a crash (a message accepted into the outage buffer, a QoS 2
/// message id), the caller keeps the write's ticket and answers when ``whenDurable(_:on:)`` succeeds; when it fails,
/// the write was not kept and the device is told to retry.
///
/// Each write stands alone: two writes made one after the other can be committed in different transactions, so a
/// crash between those commits keeps the first and not the second (a session record saved and then an outage message
/// appended for it can come back as the record without the message). State that must survive together goes in one
/// write, or is made consistent again after the restore.
public protocol SessionPersistence: AnyObject, Sendable {
    /// Whether writes survive the process (`false` with `state.directory: none`, or when the store fell back to
    /// memory after a problem it reported).
    var isDurable: Bool { get }

    /// The sessions found when the store opened; the first call returns them and releases them, later calls return
    /// an empty array.
    func takeRestoredSessions() -> [SessionRecord]

    /// Queues `record` (replacing a queued write of the same client id).
    @discardableResult
    func save(_ record: SessionRecord) throws(SessionStoreError) -> SessionStoreTicket

    /// Queues the removal of the client's session record (its outage messages stay; see ``discardOutage(clientID:)``).
    @discardableResult
    func removeSession(clientID: String) throws(SessionStoreError) -> SessionStoreTicket

    /// Queues `message` at the end of its client's outage buffer, or refuses it when a cap would be broken.
    /// Answer the device only once the returned ticket is durable.
    func appendOutage(
        _ message: OutageMessage
    ) throws(SessionStoreError) -> (sequence: UInt64, ticket: SessionStoreTicket)

    /// Removes the client's outage messages up to and including `sequence`, once the broker has them.
    @discardableResult
    func removeOutage(clientID: String, through sequence: UInt64) throws(SessionStoreError) -> SessionStoreTicket

    /// Removes all of the client's outage messages.
    @discardableResult
    func discardOutage(clientID: String) throws(SessionStoreError) -> SessionStoreTicket

    /// The client's share of the outage buffer, counting queued appends.
    func outageUsage(clientID: String) -> OutageBufferUsage

    /// Every client with messages in the outage buffer, and how much.
    func outageUsageByClient() -> [String: OutageBufferUsage]

    /// Up to `limit` of the client's outage messages after `sequence`, oldest first, read off the loop; queued
    /// writes are committed first, so what was appended is there.
    func outageMessages(
        clientID: String,
        after sequence: UInt64,
        limit: Int,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<[OutageMessage]>

    /// Succeeds on `eventLoop` once the write of `ticket` is committed; fails with
    /// ``SessionStoreError/writeFailed(file:reason:)`` when its commit failed. Every earlier write is settled by then,
    /// committed or failed: wait for each ticket whose write matters, not only for the last one.
    func whenDurable(_ ticket: SessionStoreTicket, on eventLoop: any EventLoop) -> EventLoopFuture<Void>

    /// A number larger than any this store returned before, also across restarts and after the store was moved
    /// aside or deleted (it starts from the wall clock in microseconds): the incarnation of a new session.
    func allocateIncarnation() -> UInt64
}
