import Foundation
import Testing

@testable import SNBridge

/// The device state machine, one row per (state, input): the state it ends in and what it announces.
@Suite("Device state machine")
struct DeviceStateMachineTests {
    enum Input: CustomStringConvertible, Sendable {
        case appeared
        case openingStarted
        case portOpened
        case openFailed(String)
        case linkUp
        case linkRefused(String)
        case linkDown(String)
        case gone(String)
        case client(DeviceClientState?)

        var description: String {
            switch self {
            case .appeared: "appeared"
            case .openingStarted: "openingStarted"
            case .portOpened: "portOpened"
            case .openFailed(let reason): "openFailed(\(reason))"
            case .linkUp: "linkUp"
            case .linkRefused(let reason): "linkRefused(\(reason))"
            case .linkDown(let reason): "linkDown(\(reason))"
            case .gone(let reason): "gone(\(reason))"
            case .client(let state): "client(\(state.map(\.rawValue) ?? "none"))"
            }
        }
    }

    struct Row: CustomTestStringConvertible, Sendable {
        var from: DeviceLinkState
        var input: Input
        var to: DeviceLinkState
        var actions: [DeviceStateAction]
        var testDescription: String { "\(from.name) + \(input) -> \(to.name)" }
    }

    static let online = DeviceStateAction.publishAvailability(online: true)
    static let offline = DeviceStateAction.publishAvailability(online: false)
    static let list = DeviceStateAction.publishDeviceList

    static let rows: [Row] = [
        // Coming up.
        Row(from: .present, input: .openingStarted, to: .opening, actions: [list]),
        // The link coming up is not availability: the device is online once its MQTT-SN client connects.
        Row(from: .opening, input: .linkUp, to: .linked, actions: [list]),
        Row(from: .lost, input: .openingStarted, to: .opening, actions: [list]),
        Row(from: .opening, input: .portOpened, to: .opening, actions: []),
        Row(from: .lost, input: .portOpened, to: .opening, actions: [list]),
        // A retry after a failure stays in error until the port opens or fails differently.
        Row(from: .error(reason: "x"), input: .openingStarted, to: .error(reason: "x"), actions: []),
        Row(from: .error(reason: "x"), input: .portOpened, to: .opening, actions: [list]),
        Row(from: .error(reason: "x"), input: .linkUp, to: .linked, actions: [list]),
        Row(from: .lost, input: .appeared, to: .present, actions: [list]),
        Row(from: .error(reason: "x"), input: .appeared, to: .present, actions: [list]),
        Row(from: .lost, input: .linkUp, to: .linked, actions: [list]),
        // The MQTT-SN client on the device.
        Row(
            from: .linked,
            input: .client(.connected),
            to: .connected,
            actions: [online, .publishEvent(.joined, reason: nil), list]
        ),
        Row(
            from: .linked,
            input: .client(.asleep),
            to: .asleep,
            actions: [online, .publishEvent(.joined, reason: nil), list]
        ),
        Row(from: .linked, input: .client(.connecting), to: .linked, actions: []),
        Row(from: .connected, input: .client(.asleep), to: .asleep, actions: [list]),
        Row(from: .asleep, input: .client(.awake), to: .connected, actions: [list]),
        Row(
            from: .connected,
            input: .client(nil),
            to: .linked,
            actions: [offline, .publishEvent(.left, reason: "client disconnected"), list]
        ),
        Row(
            from: .asleep,
            input: .client(.connecting),
            to: .linked,
            actions: [offline, .publishEvent(.left, reason: "client disconnected"), list]
        ),
        Row(from: .opening, input: .client(.connected), to: .opening, actions: []),
        Row(from: .lost, input: .client(.connected), to: .lost, actions: []),
        // Going away.
        Row(
            from: .connected,
            input: .gone("serial port closed"),
            to: .lost,
            actions: [offline, .publishEvent(.left, reason: "serial port closed"), list]
        ),
        Row(
            from: .asleep,
            input: .linkDown("silence"),
            to: .lost,
            actions: [offline, .publishEvent(.left, reason: "silence"), list]
        ),
        Row(from: .opening, input: .gone("device removed"), to: .lost, actions: [list]),
        Row(from: .present, input: .gone("device removed"), to: .lost, actions: [list]),
        Row(from: .lost, input: .gone("device removed"), to: .lost, actions: []),
        Row(from: .opening, input: .linkDown("silence"), to: .opening, actions: []),
        // A link without a connected client was never online: it goes without an announcement.
        Row(from: .linked, input: .gone("serial port closed"), to: .lost, actions: [list]),
        Row(from: .linked, input: .linkDown("silence"), to: .lost, actions: [list]),
        // Failures: announced once per new reason.
        Row(
            from: .opening,
            input: .openFailed("ENOENT"),
            to: .error(reason: "ENOENT"),
            actions: [.publishEvent(.error, reason: "ENOENT"), list]
        ),
        Row(from: .error(reason: "ENOENT"), input: .openFailed("ENOENT"), to: .error(reason: "ENOENT"), actions: []),
        Row(
            from: .error(reason: "ENOENT"),
            input: .openFailed("EACCES"),
            to: .error(reason: "EACCES"),
            actions: [.publishEvent(.error, reason: "EACCES"), list]
        ),
        Row(
            from: .connected,
            input: .openFailed("EIO"),
            to: .error(reason: "EIO"),
            actions: [offline, .publishEvent(.error, reason: "EIO"), list]
        ),
        // A refused HELLO is an error with its reason, announced once.
        Row(
            from: .opening,
            input: .linkRefused("HELLO refused: unsupported protocol version"),
            to: .error(reason: "HELLO refused: unsupported protocol version"),
            actions: [.publishEvent(.error, reason: "HELLO refused: unsupported protocol version"), list]
        ),
        Row(
            from: .error(reason: "HELLO refused: x"),
            input: .linkRefused("HELLO refused: x"),
            to: .error(reason: "HELLO refused: x"),
            actions: []
        ),
        // Repeated inputs announce nothing.
        Row(from: .linked, input: .linkUp, to: .linked, actions: []),
        Row(from: .connected, input: .appeared, to: .connected, actions: []),
        Row(from: .opening, input: .openingStarted, to: .opening, actions: []),
    ]

    static let start = Date(timeIntervalSince1970: 1_000)
    static let later = Date(timeIntervalSince1970: 2_000)

    @Test("Transitions and their announcements", arguments: rows)
    func transition(_ row: Row) {
        var machine = DeviceStateMachine(state: row.from, at: Self.start)
        let actions: [DeviceStateAction]
        switch row.input {
        case .appeared: actions = machine.appeared(at: Self.later)
        case .openingStarted: actions = machine.openingStarted(at: Self.later)
        case .portOpened: actions = machine.portOpened(at: Self.later)
        case .openFailed(let reason): actions = machine.openFailed(reason: reason, at: Self.later)
        case .linkUp: actions = machine.linkUp(at: Self.later)
        case .linkRefused(let reason): actions = machine.linkRefused(reason: reason, at: Self.later)
        case .linkDown(let reason): actions = machine.linkDown(reason: reason, at: Self.later)
        case .gone(let reason): actions = machine.gone(reason: reason, at: Self.later)
        case .client(let state): actions = machine.clientObserved(state, at: Self.later)
        }
        #expect(machine.state == row.to)
        #expect(actions == row.actions)
        // The timestamp moves exactly when the state does.
        #expect(machine.since == (row.to == row.from ? Self.start : Self.later))
    }

    @Test("A board that relinks counts its link-ups")
    func relinksAreCounted() {
        var machine = DeviceStateMachine(at: Self.start)
        _ = machine.openingStarted(at: Self.start)
        _ = machine.linkUp(at: Self.start)
        _ = machine.gone(reason: "serial port closed", at: Self.later)
        _ = machine.openingStarted(at: Self.later)
        _ = machine.linkUp(at: Self.later)
        #expect(machine.linkUps == 2)
        #expect(machine.state == .linked)
    }
}
