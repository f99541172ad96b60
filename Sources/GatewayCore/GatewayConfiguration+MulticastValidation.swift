import MQTTSNTransport
import NIOCore
import NIOPosix

extension GatewayConfiguration {
    /// The network devices of this host (one entry per interface address), for checking `udp.multicast[].interface`.
    static func networkDevices() -> [NIONetworkDevice] {
        (try? System.enumerateDevices()) ?? []
    }

    /// The problems of `udp.multicast`, checked against `devices` (the host's interfaces), each naming its key.
    public func validateMulticast(devices: @autoclosure () -> [NIONetworkDevice]) -> [GatewayConfigurationError] {
        guard !self.multicast.isEmpty else {
            return []
        }
        let devices = devices()
        var errors: [GatewayConfigurationError] = []
        var seen: Set<String> = []
        for (index, entry) in self.multicast.enumerated() {
            let field = "udp.multicast[\(index)]"
            switch Self.resolve(entry, field: field, devices: devices) {
            case .success:
                break
            case .failure(let failures):
                errors += failures.problems
            }
            if !(1...255).contains(entry.ttl) {
                errors.append(.init(field: "\(field).ttl", problem: "must be between 1 and 255"))
            }
            let key = "\(entry.group)|\(entry.port)|\(entry.interface)"
            if !seen.insert(key).inserted {
                errors.append(
                    .init(
                        field: field,
                        problem: "joins \(entry.group) port \(entry.port) on \(entry.interface) a second time"
                    )
                )
            }
        }
        return errors
    }

    /// Several problems of one `udp.multicast` entry.
    struct MulticastProblems: Error {
        var problems: [GatewayConfigurationError]
    }

    /// The transport configuration for one `udp.multicast` entry: the group as a socket address and the device
    /// entry to join it through, or every problem with the entry.
    static func resolve(
        _ entry: Multicast,
        field: String,
        devices: [NIONetworkDevice]
    ) -> Result<UDPMulticastTransport.Configuration, MulticastProblems> {
        var problems: [GatewayConfigurationError] = []
        var group: SocketAddress?
        if !(1...65_535).contains(entry.port) {
            problems.append(.init(field: "\(field).port", problem: "must be between 1 and 65535"))
        } else if let address = try? SocketAddress(ipAddress: entry.group, port: entry.port) {
            if address.isMulticast {
                group = address
            } else {
                problems.append(
                    .init(
                        field: "\(field).group",
                        problem: "must be a multicast address (224.0.0.0/4 or ff00::/8), not '\(entry.group)'"
                    )
                )
            }
        } else {
            problems.append(
                .init(
                    field: "\(field).group",
                    problem: "must be an IPv4 or IPv6 multicast address such as 225.1.1.1, not '\(entry.group)'"
                )
            )
        }
        let named = devices.filter { $0.name == entry.interface }
        var device: NIONetworkDevice?
        if entry.interface.isEmpty {
            problems.append(.init(field: "\(field).interface", problem: "must name a network interface, e.g. eth0"))
        } else if named.isEmpty {
            let known = Set(devices.map(\.name)).sorted().joined(separator: ", ")
            problems.append(
                .init(
                    field: "\(field).interface",
                    problem: "names no network interface of this host: '\(entry.interface)' (there are: \(known))"
                )
            )
        } else if let group {
            if group.protocol == .inet {
                device = named.first { $0.address?.protocol == .inet }
                if device == nil {
                    problems.append(
                        .init(
                            field: "\(field).interface",
                            problem: "'\(entry.interface)' has no IPv4 address to join \(entry.group) with"
                        )
                    )
                }
            } else {
                device = named.first { $0.address?.protocol == .inet6 } ?? named.first
            }
        }
        guard problems.isEmpty, let group, let device else {
            return .failure(MulticastProblems(problems: problems))
        }
        return .success(
            UDPMulticastTransport.Configuration(
                group: group,
                device: device,
                hopLimit: entry.ttl,
                loopback: entry.loopback
            )
        )
    }
}
