import NIOCore
import Testing

@testable import GatewayCore

/// The timer wheel and the deadlines it is armed with: a session is visited when, and only when, its state machine
/// may have something to do, so 100,000 idle sessions cost no work between their deadlines.
@Suite("Session timers: the timer wheel and each session's next deadline")
struct SessionTimerTests {
    typealias Table = ClientSessionStateTableTests

    /// Every state, after every pair of events: no tick before `nextDeadline` does anything, the tick at it does
    /// (the deadline is neither late, which would lose a keepalive expiry or a retransmission, nor needlessly
    /// early); without a deadline no tick, however late, does anything.
    @Test("nextDeadline is exactly the first time tick acts, in every state after any two events")
    func deadlinesMatchTick() {
        var checked = 0
        var withDeadline = 0
        for start in Table.Start.allCases {
            for first in Table.Event.allCases where first != .tickLate {
                for second in Table.Event.allCases where second != .tickLate {
                    var harness = Table.machine(in: start)
                    _ = Table.apply(first, to: &harness)
                    _ = Table.apply(second, to: &harness)
                    let context = "\(start) + \(first) + \(second)"
                    guard let deadline = harness.machine.nextDeadline else {
                        var late = harness.machine
                        #expect(late.tick(now: harness.at(1_000_000)) == .none, "\(context): acted without a deadline")
                        checked += 1
                        continue
                    }
                    var early = harness.machine
                    #expect(early.tick(now: deadline - .nanoseconds(1)) == .none, "\(context): acted before it")
                    var due = harness.machine
                    #expect(due.tick(now: deadline) != .none, "\(context): did nothing at its deadline")
                    checked += 1
                    withDeadline += 1
                }
            }
        }
        #expect(checked == 8 * 16 * 16)
        // Keepalive, sleep, connect-timeout, retransmission and reconnect deadlines all occur in the table.
        #expect(withDeadline > checked / 2)
    }

    @Test("A retransmission deadline comes before the keepalive expiry and moves on with each retransmission")
    func retransmissionDeadline() {
        var harness = StateMachineHarness.active(keepAlive: 60)
        #expect(harness.machine.nextDeadline == harness.at(90) + .nanoseconds(1))
        _ = harness.machine.enqueue(.text("predefined/seven", "x", qos: .atLeastOnce), acknowledgement: nil)
        _ = harness.machine.nextDelivery(now: harness.at(1))
        #expect(harness.machine.nextDeadline == harness.at(3))
        #expect(harness.machine.tick(now: harness.at(3)) != .none)
        #expect(harness.machine.nextDeadline == harness.at(5))
    }

    @Test("The wheel hands out each armed key at its tick, never before its deadline, and nothing else")
    func wheelHandsOutDueKeysOnly() {
        let origin = NIODeadline.uptimeNanoseconds(5_000_000_000)
        let resolution = TimeAmount.milliseconds(100)
        var wheel = TimerWheel<Int>(resolution: resolution, origin: origin, slotCount: 64)
        var generator = SplitMix(seed: 7)
        var deadlines: [Int: NIODeadline] = [:]
        var armed: [Int: Int64] = [:]
        for key in 0..<10_000 {
            // Up to 20 s ahead: 200 ticks, three turns and more of a 64-slot wheel.
            let deadline = origin + .nanoseconds(Int64(generator.next() % 20_000_000_000))
            deadlines[key] = deadline
            armed[key] = wheel.arm(key, at: deadline, current: nil)
        }
        var handedOut = 0
        var now = origin
        while now <= origin + .seconds(21) {
            now = now + resolution
            let due = wheel.due(upTo: now)
            for entry in due {
                #expect(entry.tick == armed[entry.key], "key \(entry.key) handed out at the wrong tick")
                #expect(deadlines[entry.key]! <= now, "key \(entry.key) handed out before its deadline")
                #expect(now - deadlines[entry.key]! < resolution * 2, "key \(entry.key) handed out late")
            }
            handedOut += due.count
        }
        #expect(handedOut == 10_000)
        #expect(wheel.entryCount == 0)
    }

    @Test("Arming again only moves a visit earlier; after a stall longer than a turn every due key comes out once")
    func lazyArmingAndStalls() {
        let origin = NIODeadline.uptimeNanoseconds(0)
        var wheel = TimerWheel<String>(resolution: .seconds(1), origin: origin, slotCount: 8)
        var tick = wheel.arm("a", at: origin + .seconds(5), current: nil)
        #expect(tick == 5)
        // Later: stays at 5 (the visit then arms it again for the real deadline).
        tick = wheel.arm("a", at: origin + .seconds(7), current: tick)
        #expect(tick == 5)
        // Earlier: moves to 2, the entry at 5 becomes stale.
        tick = wheel.arm("a", at: origin + .seconds(2), current: tick)
        #expect(tick == 2)
        // In the past: the next tick.
        #expect(wheel.arm("b", at: origin - .seconds(3), current: nil) == 1)
        // Three turns ahead: stays through the turns before.
        #expect(wheel.arm("c", at: origin + .seconds(27), current: nil) == 27)
        #expect(wheel.due(upTo: origin + .seconds(1)).map(\.key) == ["b"])
        #expect(wheel.due(upTo: origin + .seconds(2)).map { "\($0.key)@\($0.tick)" } == ["a@2"])
        // A stall of 20 s: the stale entry comes out (its owner skips it), "c" is still ahead.
        #expect(wheel.due(upTo: origin + .seconds(22)).map { "\($0.key)@\($0.tick)" } == ["a@5"])
        #expect(wheel.due(upTo: origin + .seconds(26)).isEmpty)
        #expect(wheel.due(upTo: origin + .seconds(27)).map(\.key) == ["c"])
        #expect(wheel.entryCount == 0)
    }
}

/// A small deterministic generator (SplitMix64), so that the wheel's table is the same on every run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { self.state = seed }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
