import GatewayCore
import NIOCore
import NIOPosix
import Testing

@testable import SNBridge

/// `udp.multicast`: read from YAML, checked against this host's interfaces, every problem naming its key.
@Suite("udp.multicast configuration")
struct MulticastConfigurationTests {
    @Test("A group entry is read with its defaults and its options")
    func readsEntries() throws {
        let configuration = try SNBridgeConfiguration.parse(
            yaml: """
                udp:
                  multicast:
                    - { group: 225.1.1.1, interface: lo }
                    - { group: "ff02::1:1883", port: 10001, interface: lo, reply: unicast, ttl: 4, loopback: true }
                """
        )
        #expect(
            configuration.gateway.multicast == [
                .init(group: "225.1.1.1", port: 1883, interface: "lo", reply: .multicast, ttl: 1, loopback: false),
                .init(group: "ff02::1:1883", port: 10001, interface: "lo", reply: .unicast, ttl: 4, loopback: true),
            ]
        )
        #expect(
            configuration.summary.contains("multicast:   225.1.1.1 port 1883 on lo, SEARCHGW answered by multicast")
        )
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        let entry: String
        let key: String
        let problemContains: String
        var testDescription: String { "\(key): \(problemContains)" }
    }

    static let badCases: [BadCase] = [
        .init(
            entry: "{ group: 10.0.0.1, interface: lo }",
            key: "udp.multicast[0].group",
            problemContains: "must be a multicast address (224.0.0.0/4 or ff00::/8), not '10.0.0.1'"
        ),
        .init(
            entry: "{ group: 'fe80::1', interface: lo }",
            key: "udp.multicast[0].group",
            problemContains: "must be a multicast address"
        ),
        .init(
            entry: "{ group: gateways.local, interface: lo }",
            key: "udp.multicast[0].group",
            problemContains: "must be an IPv4 or IPv6 multicast address"
        ),
        .init(
            entry: "{ group: 225.1.1.1, interface: nosuch0 }",
            key: "udp.multicast[0].interface",
            problemContains: "names no network interface of this host: 'nosuch0' (there are: "
        ),
        .init(entry: "{ group: 225.1.1.1 }", key: "udp.multicast[0].interface", problemContains: "is required"),
        .init(entry: "{ interface: lo }", key: "udp.multicast[0].group", problemContains: "is required"),
        .init(
            entry: "{ group: 225.1.1.1, interface: lo, reply: shout }",
            key: "udp.multicast[0].reply",
            problemContains: "one of multicast, unicast"
        ),
        .init(
            entry: "{ group: 225.1.1.1, interface: lo, port: 0 }",
            key: "udp.multicast[0].port",
            problemContains: "between 1 and 65535"
        ),
        .init(
            entry: "{ group: 225.1.1.1, interface: lo, ttl: 300 }",
            key: "udp.multicast[0].ttl",
            problemContains: "between 1 and 255"
        ),
        .init(
            entry: "{ group: 225.1.1.1, interface: lo, radius: 2 }",
            key: "udp.multicast[0].radius",
            problemContains: "unknown key"
        ),
        .init(entry: "225.1.1.1", key: "udp.multicast[0]", problemContains: "expected a mapping"),
    ]

    @Test("A bad entry is answered with an error naming its key", arguments: badCases)
    func badEntryNamesTheKey(_ badCase: BadCase) {
        #expect {
            try SNBridgeConfiguration.parse(yaml: "udp:\n  multicast:\n    - \(badCase.entry)")
        } throws: { error in
            guard let errors = error as? ConfigurationErrors else { return false }
            return errors.errors.contains { $0.key == badCase.key && $0.problem.contains(badCase.problemContains) }
        }
    }

    @Test("The same group on the same interface twice is refused")
    func duplicateGroup() {
        let configuration = GatewayConfiguration(
            multicast: [.init(group: "225.1.1.1", interface: "lo"), .init(group: "225.1.1.1", interface: "lo")]
        )
        let errors = configuration.validateMulticast(devices: (try? System.enumerateDevices()) ?? [])
        #expect(errors.map(\.field) == ["udp.multicast[1]"])
        #expect(errors.first?.problem.contains("a second time") == true)
    }

    static var loopbackIPv6: NIONetworkDevice? {
        try? System.enumerateDevices().first { $0.name == "lo" && $0.address?.protocol == .inet6 }
    }

    @Test(
        "An IPv4 group on an interface without an IPv4 address is refused, IPv6 groups use the interface index",
        .enabled(if: loopbackIPv6 != nil, "lo has no IPv6 address on this host")
    )
    func addressFamilyOfTheInterface() throws {
        let loopback = try #require(Self.loopbackIPv6)
        let ipv4 = GatewayConfiguration(multicast: [.init(group: "225.1.1.1", interface: "lo")])
        let ipv4Errors = ipv4.validateMulticast(devices: [loopback])
        #expect(ipv4Errors.map(\.field) == ["udp.multicast[0].interface"])
        #expect(ipv4Errors.first?.problem == "'lo' has no IPv4 address to join 225.1.1.1 with")
        let ipv6 = GatewayConfiguration(multicast: [.init(group: "ff02::1:1883", interface: "lo")])
        #expect(ipv6.validateMulticast(devices: [loopback]).isEmpty)
    }
}
