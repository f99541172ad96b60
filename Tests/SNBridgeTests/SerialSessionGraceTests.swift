import NIOCore
import Testing

@testable import SNBridge

/// The session grace's decisions, event by event: the same device relinking in time keeps its sessions; running
/// out of time, another device on the port, a closed port or a zero grace loses them.
@Suite("Serial session grace")
struct SerialSessionGraceTests {
    let path = "/dev/ttyUSB0"
    let board: [UInt8] = [0xA1, 0xB2]
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    @Test func aRelinkWithinTheGraceResumesTheSessions() {
        var grace = SerialSessionGrace()
        #expect(grace.linkUp(path: path, deviceID: board, now: start) == .none)
        let down = grace.linkDown(path: path, grace: .seconds(5), now: start + .seconds(1))
        #expect(down == .keepUntil(start + .seconds(6), generation: 1))
        #expect(grace.linkUp(path: path, deviceID: board, now: start + .seconds(5)) == .resumed)
        // The timer of that grace period fires late: nothing to do any more.
        #expect(grace.deadlinePassed(path: path, generation: 1) == .none)
    }

    @Test func theGraceRunningOutLosesTheSessions() {
        var grace = SerialSessionGrace()
        _ = grace.linkUp(path: path, deviceID: board, now: start)
        guard case .keepUntil(_, let generation) = grace.linkDown(path: path, grace: .seconds(2), now: start) else {
            Issue.record("no grace period")
            return
        }
        #expect(grace.deadlinePassed(path: path, generation: generation) == .loseSessions)
        // Linking after that is a fresh start: nothing kept, nothing more to lose.
        #expect(grace.linkUp(path: path, deviceID: board, now: start + .seconds(3)) == .none)
    }

    @Test func aLinkUpAfterTheDeadlineBeforeTheTimerLosesTheSessions() {
        var grace = SerialSessionGrace()
        _ = grace.linkUp(path: path, deviceID: board, now: start)
        _ = grace.linkDown(path: path, grace: .seconds(2), now: start)
        #expect(grace.linkUp(path: path, deviceID: board, now: start + .seconds(2)) == .loseSessions)
    }

    @Test func anotherDeviceOnThePortNeverContinuesTheSessions() {
        var grace = SerialSessionGrace()
        _ = grace.linkUp(path: path, deviceID: board, now: start)
        _ = grace.linkDown(path: path, grace: .seconds(5), now: start)
        #expect(grace.linkUp(path: path, deviceID: [0xFF], now: start + .seconds(1)) == .loseSessions)
        // Even a relink the link layer reports without a loss in between.
        #expect(grace.linkUp(path: path, deviceID: board, now: start + .seconds(2)) == .loseSessions)
    }

    @Test func aClosedPortOrAZeroGraceLosesTheSessionsAtOnce() {
        var grace = SerialSessionGrace()
        _ = grace.linkUp(path: path, deviceID: board, now: start)
        #expect(grace.linkDown(path: path, grace: .zero, now: start) == .loseSessions)
        _ = grace.linkUp(path: path, deviceID: board, now: start)
        guard case .keepUntil(_, let generation) = grace.linkDown(path: path, grace: .seconds(5), now: start) else {
            Issue.record("no grace period")
            return
        }
        #expect(grace.portClosed(path: path) == .loseSessions)
        #expect(grace.deadlinePassed(path: path, generation: generation) == .none)
    }

    @Test func eachGracePeriodHasItsOwnTimer() {
        var grace = SerialSessionGrace()
        _ = grace.linkUp(path: path, deviceID: board, now: start)
        _ = grace.linkDown(path: path, grace: .seconds(5), now: start)
        #expect(grace.linkUp(path: path, deviceID: board, now: start + .seconds(1)) == .resumed)
        guard case .keepUntil(_, let second) = grace.linkDown(path: path, grace: .seconds(5), now: start + .seconds(2))
        else {
            Issue.record("no grace period")
            return
        }
        #expect(second == 2)
        #expect(grace.deadlinePassed(path: path, generation: 1) == .none, "the first period's timer")
        #expect(grace.deadlinePassed(path: path, generation: 2) == .loseSessions)
    }
}
