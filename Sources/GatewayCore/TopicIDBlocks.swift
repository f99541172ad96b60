#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a new session's assigned topic ids start: the rule that keeps a topic id from ever meaning another topic
/// to a client.
///
/// Within a session ids are never reassigned: the session keeps them across upstream loss (it survives it), across
/// DISCONNECT and client loss with clean session off (it is kept), and across restarts (it is stored). What remains
/// is a session started without the client's previous state: clean session on (the client discards its ids too),
/// or state deliberately discarded (`state.directory: none`, a store set aside, a kept session evicted). MQTT-SN 1.2
/// has no "session present" flag, so a clean-session-off client then still uses its old ids. If the gateway handed
/// one of them to another topic (a gateway REGISTER for a subscription the broker kept), the client's next PUBLISH
/// on it would land on that topic.
///
/// So every new session takes its ids from a fresh block: the 16-bit id space is cut into blocks of
/// `gateway.max_topics_per_client` ids (65534 / limit blocks, 1023 with the default 64), and a new session's block
/// follows from a number that grows with every new session. A client's old ids then belong to an earlier block:
/// unknown to the new session, a PUBLISH on one gets PUBACK "invalid topic id" and the client registers again, which
/// is the specification's recovery.
///
/// - With a durable session store (`state.directory`), that number is the session's **incarnation**
///   (``SessionPersistence/allocateIncarnation()``): larger than any the store handed out before, across restarts,
///   SIGKILL and a store moved aside or deleted (it then starts again from the wall clock in microseconds). It is
///   stored with the session, and a restored session keeps its ids, so a restart reassigns nothing. Two sessions of
///   one client id share a block only when a multiple of the block count of other new sessions started between them.
/// - With `state.directory: none`, it counts from the wall clock in seconds at gateway start, plus the sessions
///   created since: two sessions of one client id share a block only when a multiple of the block count lies
///   between their starts, counted in seconds between gateway starts plus sessions created.
struct TopicIDBlocks: Sendable {
    let blockSize: Int
    let blockCount: Int
    private var next: UInt64

    init(maxTopicsPerClient: Int, seed: UInt64 = TopicIDBlocks.wallClockSeconds()) {
        self.blockSize = max(1, min(maxTopicsPerClient, 65_534))
        self.blockCount = max(1, 65_534 / self.blockSize)
        self.next = seed
    }

    /// The first id of the next new session's block (never 0 or 0xFFFF).
    mutating func take() -> UInt16 {
        let block = Int(self.next % UInt64(self.blockCount))
        self.next &+= 1
        return UInt16(1 + block * self.blockSize)
    }

    /// The first id of the block of the session with this incarnation (durable store); `next` is left alone.
    func firstID(incarnation: UInt64) -> UInt16 {
        let block = Int(incarnation % UInt64(self.blockCount))
        return UInt16(1 + block * self.blockSize)
    }

    static func wallClockSeconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(max(0, now.tv_sec))
    }
}
