import NIOCore

/// Where an MQTT-SN client is reachable: the key a transport uses to send, and the key the gateway uses to find
/// the session a datagram or frame belongs to.
///
/// Sessions are keyed by client id, not by address: an address only says where to send next. A client behind a NAT
/// that reappears on another port keeps its session once it sends CONNECT or PINGREQ with its client id.
public enum MQTTSNClientAddress: Sendable, Hashable, CustomStringConvertible {
    /// A UDP peer (IPv4 or IPv6).
    case udp(SocketAddress)
    /// A wireless node behind an MQTT-SN forwarder that reaches the gateway over UDP from `forwarder` and
    /// encapsulates the node's messages with its wireless node id (specification section 5.5).
    case udpForwarded(SocketAddress, wirelessNodeID: [UInt8])
    /// A device on a serial line, optionally behind an MQTT-SN forwarder that encapsulates messages with the
    /// wireless node id of the real client (specification section 5.5).
    case serial(device: String, wirelessNodeID: [UInt8]?)

    /// Whether the client is on a serial line (directly or behind a forwarder there).
    public var isSerial: Bool {
        if case .serial = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .udp(let address):
            return "udp:\(address)"
        case .udpForwarded(let forwarder, let wirelessNodeID):
            return "udp:\(forwarder)#\(Self.hex(wirelessNodeID))"
        case .serial(let device, nil):
            return "serial:\(device)"
        case .serial(let device, let wirelessNodeID?):
            return "serial:\(device)#\(Self.hex(wirelessNodeID))"
        }
    }

    private static func hex(_ octets: [UInt8]) -> String {
        octets.map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }

    /// The UDP socket address datagrams go to (a forwarded node's forwarder), or `nil` for serial devices.
    public var socketAddress: SocketAddress? {
        switch self {
        case .udp(let address), .udpForwarded(let address, _): address
        case .serial: nil
        }
    }
}
