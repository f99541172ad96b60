import Foundation

/// Two Linux network namespaces joined by a veth pair, made by the test itself, for traffic that must cross a real
/// interface (multicast, which never leaves `lo` otherwise):
///
/// ```
///   namespace <gateway>                         namespace <client>
///   ┌──────────────────────┐   veth pair      ┌──────────────────────┐
///   │ <gatewayInterface>   ├──────────────────┤ <clientInterface>    │
///   │ 10.231.0.1/24, up    │                  │ 10.231.0.2/24, up    │
///   │ lo up                │                  │ lo up, 224.0.0.0/4   │
///   └──────────────────────┘                  └──────────────────────┘
/// ```
///
/// Needs root (`CAP_SYS_ADMIN` and `CAP_NET_ADMIN`) and iproute2's `ip`; ``canCreate`` says whether this host can.
/// ``remove()`` deletes both namespaces (and with them the veth pair); call it in a `defer`.
public final class NetworkNamespacePair: Sendable {
    public let gatewayNamespace: String
    public let clientNamespace: String
    public let gatewayInterface: String
    public let clientInterface: String
    public let gatewayAddress = "10.231.0.1"
    public let clientAddress = "10.231.0.2"

    /// Where iproute2's `ip` is, or `nil`.
    public static let ipCommand: String? = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Whether this host lets the test create namespaces: root, `ip` installed, and a probe namespace can be added
    /// and deleted (a container may forbid it even to root).
    public static let canCreate: Bool = {
        guard geteuid() == 0, let ip = ipCommand else { return false }
        let probe = "snbprobe\(getpid())"
        guard runSynchronously(ip, ["netns", "add", probe]) else { return false }
        return runSynchronously(ip, ["netns", "del", probe])
    }()

    /// Why ``canCreate`` is false, for the test's skip message.
    public static var unavailableReason: String {
        if geteuid() != 0 { return "creating network namespaces needs root" }
        if ipCommand == nil { return "iproute2's ip is not installed" }
        return "this host refuses to create network namespaces (ip netns add failed)"
    }

    /// Creates both namespaces, the veth pair between them, their addresses, and brings everything up. On a
    /// failure whatever was made is removed again.
    public init() throws {
        let tag = String(UInt32.random(in: 0...0xFFFFF), radix: 16)
        self.gatewayNamespace = "snbgw-\(tag)"
        self.clientNamespace = "snbcl-\(tag)"
        self.gatewayInterface = "snbg\(tag)"
        self.clientInterface = "snbc\(tag)"
        do {
            try self.ip(["netns", "add", self.gatewayNamespace])
            try self.ip(["netns", "add", self.clientNamespace])
            try self.ip([
                "link", "add", self.gatewayInterface, "netns", self.gatewayNamespace, "type", "veth",
                "peer", "name", self.clientInterface, "netns", self.clientNamespace,
            ])
            for (namespace, interface, address) in [
                (self.gatewayNamespace, self.gatewayInterface, self.gatewayAddress),
                (self.clientNamespace, self.clientInterface, self.clientAddress),
            ] {
                try self.ip(["-n", namespace, "address", "add", "\(address)/24", "dev", interface])
                try self.ip(["-n", namespace, "link", "set", interface, "up"])
                try self.ip(["-n", namespace, "link", "set", "lo", "up"])
            }
            // The client's multicast follows the veth whatever socket sends it. The gateway's namespace gets no
            // multicast route on purpose: there, group datagrams leave only from a socket whose IP_MULTICAST_IF
            // names the veth, which is what the gateway must do.
            try self.ip(["-n", self.clientNamespace, "route", "add", "224.0.0.0/4", "dev", self.clientInterface])
        } catch {
            self.remove()
            throw error
        }
    }

    /// The argument list that runs `command` inside `namespace` (`ip netns exec <namespace> ...`): the process
    /// replaces `ip`, so its pid is the command's own.
    public func inNamespace(_ namespace: String, _ command: [String]) -> (executable: String, arguments: [String]) {
        (Self.ipCommand ?? "/usr/sbin/ip", ["netns", "exec", namespace] + command)
    }

    /// Deletes both namespaces; the veth pair goes with them. Safe to call more than once.
    public func remove() {
        guard let ip = Self.ipCommand else { return }
        _ = Self.runSynchronously(ip, ["netns", "del", self.gatewayNamespace])
        _ = Self.runSynchronously(ip, ["netns", "del", self.clientNamespace])
    }

    private func ip(_ arguments: [String]) throws {
        guard let ip = Self.ipCommand, Self.runSynchronously(ip, arguments) else {
            throw NetworkNamespacePairError(command: "ip " + arguments.joined(separator: " "))
        }
    }

    private static func runSynchronously(_ executable: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return false
        }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}

/// An `ip` command that set up a ``NetworkNamespacePair`` failed.
public struct NetworkNamespacePairError: Error, CustomStringConvertible {
    public let command: String
    public var description: String { "'\(self.command)' failed" }
}
