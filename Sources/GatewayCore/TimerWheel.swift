import NIOCore

/// A hashed timer wheel: one repeating timer for every session's deadlines, where each tick visits only the
/// sessions due in it, so that 100,000 idle sessions cost nothing between their deadlines.
///
/// ```
///   tick:     0     1     2     3    ...   N-1      a deadline d goes into slot  tick(d) mod N
///          +-----+-----+-----+-----+-----+-----+    with its tick, so an entry a whole turn (or more)
///   slots: | a,7 |     | b,2 |  c  | ... |     |    ahead stays where it is until its own tick comes
///          +-----+-----+-----+-----+-----+-----+
///                 ^ cursor: every tick up to here has been handed out
/// ```
///
/// Arming is lazy: ``arm(_:at:current:)`` only ever moves a key's visit earlier; a key visited before its real
/// deadline (its client was heard meanwhile) is armed again for the later one by its owner. A key armed again, or
/// gone from its owner's table, leaves a stale entry behind, which its owner recognises by the tick
/// (``due(upTo:)`` hands out every entry with its tick; the owner compares it with the tick it last armed).
struct TimerWheel<Key: Hashable & Sendable>: Sendable {
    /// One armed visit.
    struct Entry: Sendable {
        var key: Key
        var tick: Int64
    }

    /// How long one tick is.
    let resolution: TimeAmount
    /// The time of tick 0.
    let origin: NIODeadline
    private var slots: [[Entry]]
    private let mask: Int
    /// The last tick whose entries were handed out.
    private(set) var cursor: Int64

    /// - Parameter slotCount: rounded up to a power of two; a turn of the wheel is `slotCount` ticks.
    init(resolution: TimeAmount, origin: NIODeadline, slotCount: Int = 4096) {
        var count = 1
        while count < slotCount { count <<= 1 }
        self.resolution = .nanoseconds(max(resolution.nanoseconds, 1))
        self.origin = origin
        self.slots = Array(repeating: [], count: count)
        self.mask = count - 1
        self.cursor = 0
    }

    /// The first tick at or after `deadline`.
    func tick(for deadline: NIODeadline) -> Int64 {
        let elapsed = (deadline - self.origin).nanoseconds
        guard elapsed > 0 else { return 0 }
        return (elapsed + self.resolution.nanoseconds - 1) / self.resolution.nanoseconds
    }

    /// The last tick that has begun at `now`.
    func currentTick(at now: NIODeadline) -> Int64 {
        max(0, (now - self.origin).nanoseconds / self.resolution.nanoseconds)
    }

    /// Arms a visit of `key` at `deadline` (at the next tick at the soonest), unless `current`, the tick it is
    /// armed for now, comes no later. Returns the tick it is armed for afterwards.
    mutating func arm(_ key: Key, at deadline: NIODeadline, current: Int64?) -> Int64 {
        let tick = max(self.tick(for: deadline), self.cursor + 1)
        if let current, current <= tick, current > self.cursor {
            return current
        }
        self.slots[Int(tick & Int64(self.mask))].append(Entry(key: key, tick: tick))
        return tick
    }

    /// Takes every entry whose tick has come by `now`, in tick order; entries a turn or more ahead stay.
    mutating func due(upTo now: NIODeadline) -> [Entry] {
        let target = self.currentTick(at: now)
        guard target > self.cursor else { return [] }
        // After a stall longer than a turn, every slot is looked at once.
        let first = max(self.cursor + 1, target - Int64(self.mask))
        var due: [Entry] = []
        var tick = first
        while tick <= target {
            let index = Int(tick & Int64(self.mask))
            if !self.slots[index].isEmpty {
                self.slots[index].removeAll { entry in
                    guard entry.tick <= target else { return false }
                    due.append(entry)
                    return true
                }
            }
            tick += 1
        }
        self.cursor = target
        return due
    }

    /// How many entries the wheel holds, stale ones included.
    var entryCount: Int { self.slots.reduce(0) { $0 + $1.count } }
}
