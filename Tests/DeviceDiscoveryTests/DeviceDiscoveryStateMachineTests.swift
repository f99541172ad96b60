import Testing

@testable import DeviceDiscovery

@Suite("Discovery bookkeeping state machine")
struct DeviceDiscoveryStateMachineTests {
    enum Input: Sendable {
        case enumerated(String, DiscoveredSerialDevice?)
        case enumerationFinished
        case event(UdevAction, String, DiscoveredSerialDevice?)
        case stop
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var inputs: [Input]
        var expected: [DeviceDiscoveryStateMachine.Action]
        var testDescription: String { name }
    }

    static let a = DiscoveredSerialDevice(
        syspath: "/sys/a/tty/ttyUSB0",
        devnode: "/dev/ttyUSB0",
        vendorID: 0x10c4,
        productID: 0xea60
    )
    static let aWithLinks = DiscoveredSerialDevice(
        syspath: "/sys/a/tty/ttyUSB0",
        devnode: "/dev/ttyUSB0",
        vendorID: 0x10c4,
        productID: 0xea60,
        byPath: "/dev/serial/by-path/x-port0"
    )
    static let b = DiscoveredSerialDevice(
        syspath: "/sys/b/tty/ttyACM0",
        devnode: "/dev/ttyACM0",
        vendorID: 0x303a,
        productID: 0x1001
    )

    static let cases: [Case] = [
        Case(
            name: "scan reports matches, skips the rest, then completes",
            inputs: [
                .enumerated(a.syspath, a), .enumerated("/sys/tty/ttyS0", nil), .enumerated(b.syspath, b),
                .enumerationFinished,
            ],
            expected: [.report(.added(a)), .none, .report(.added(b)), .report(.enumerationCompleted)]
        ),
        Case(
            name: "an add queued during the scan for a scanned device is not reported twice",
            inputs: [.enumerated(a.syspath, a), .enumerationFinished, .event(.add, a.syspath, a)],
            expected: [.report(.added(a)), .report(.enumerationCompleted), .none]
        ),
        Case(
            name: "hotplug add then remove",
            inputs: [.enumerationFinished, .event(.add, a.syspath, a), .event(.remove, a.syspath, nil)],
            expected: [.report(.enumerationCompleted), .report(.added(a)), .report(.removed(a))]
        ),
        Case(
            name: "remove of a device never reported is ignored",
            inputs: [.enumerationFinished, .event(.remove, b.syspath, b)],
            expected: [.report(.enumerationCompleted), .none]
        ),
        Case(
            name: "re-add after remove is reported again",
            inputs: [
                .enumerationFinished, .event(.add, a.syspath, a), .event(.remove, a.syspath, a),
                .event(.add, a.syspath, a),
            ],
            expected: [.report(.enumerationCompleted), .report(.added(a)), .report(.removed(a)), .report(.added(a))]
        ),
        Case(
            name: "change with a new description is reported, an identical one is not",
            inputs: [
                .enumerated(a.syspath, a), .enumerationFinished, .event(.change, a.syspath, aWithLinks),
                .event(.change, a.syspath, aWithLinks),
            ],
            expected: [.report(.added(a)), .report(.enumerationCompleted), .report(.changed(aWithLinks)), .none]
        ),
        Case(
            name: "change of an unknown device that now matches is an add",
            inputs: [.enumerationFinished, .event(.change, b.syspath, b)],
            expected: [.report(.enumerationCompleted), .report(.added(b))]
        ),
        Case(
            name: "a known device that stops matching is removed, with its last description",
            inputs: [.enumerated(a.syspath, a), .enumerationFinished, .event(.change, a.syspath, nil)],
            expected: [.report(.added(a)), .report(.enumerationCompleted), .report(.removed(a))]
        ),
        Case(
            name: "unmatched add is ignored",
            inputs: [.enumerationFinished, .event(.add, "/sys/tty/ttyS0", nil)],
            expected: [.report(.enumerationCompleted), .none]
        ),
        Case(
            name: "bind, move and unknown actions change nothing",
            inputs: [
                .enumerationFinished, .event(.bind, a.syspath, a), .event(.move, a.syspath, a),
                .event(.other("frobnicate"), a.syspath, a),
            ],
            expected: [.report(.enumerationCompleted), .none, .none, .none]
        ),
        Case(
            name: "stop finishes once and silences everything after",
            inputs: [.enumerated(a.syspath, a), .stop, .stop, .enumerationFinished, .event(.remove, a.syspath, a)],
            expected: [.report(.added(a)), .finish, .none, .none, .none]
        ),
        Case(
            name: "monitor events before the scan completes are not processed out of order",
            inputs: [.event(.add, a.syspath, a), .enumerationFinished],
            expected: [.none, .report(.enumerationCompleted)]
        ),
    ]

    @Test(arguments: cases)
    func actions(_ testCase: Case) {
        var machine = DeviceDiscoveryStateMachine()
        var actions: [DeviceDiscoveryStateMachine.Action] = []
        for input in testCase.inputs {
            switch input {
            case .enumerated(let syspath, let device):
                actions.append(machine.deviceEnumerated(syspath: syspath, device: device))
            case .enumerationFinished:
                actions.append(machine.enumerationFinished())
            case .event(let action, let syspath, let device):
                actions.append(machine.monitorEvent(action, syspath: syspath, device: device))
            case .stop:
                actions.append(machine.stop())
            }
        }
        #expect(actions == testCase.expected)
    }

    @Test("the known devices follow adds and removes")
    func knownDevices() {
        var machine = DeviceDiscoveryStateMachine()
        _ = machine.deviceEnumerated(syspath: Self.a.syspath, device: Self.a)
        _ = machine.enumerationFinished()
        _ = machine.monitorEvent(.add, syspath: Self.b.syspath, device: Self.b)
        #expect(machine.knownDevices == [Self.a.syspath: Self.a, Self.b.syspath: Self.b])
        _ = machine.monitorEvent(.remove, syspath: Self.a.syspath, device: nil)
        #expect(machine.knownDevices == [Self.b.syspath: Self.b])
    }
}
