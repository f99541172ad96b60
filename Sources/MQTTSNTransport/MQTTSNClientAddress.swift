import NIOCore

/// Where an MQTT-SN client is reachable: the key a transport uses to send, and the key the gateway uses to find
/// the session a datagram or frame belongs to.
///
/// Sessions are keyed by client id, not by address: an address only says where to send next. A client behind a NAT
/// that reappears on another port keeps its session once it sends CONNECT or PINGREQ with its client id.
public enum MQTTSNClientAddress: Sendable, Hashable, CustomStringConvertible {
    /// A UDP peer (IPv4 or IPv6).
    case udp(SocketAddress)
    /// A device on a serial line, optionally behind an MQTT-SN forwarder that encapsulates messages with the
    /// wireless node id of the real client (specification section 5.5).
    case serial(device: String, wirelessNodeID: [UInt8]?)

    public var description: String {
        switch self {
        case .udp(let address):
            return "udp:\(address)"
        case .serial(let device, nil):
            return "serial:\(device)"
        case .serial(let device, let wirelessNodeID?):
            let node = wirelessNodeID.map { byte in
                let hex = String(byte, radix: 16)
                return hex.count == 1 ? "0" + hex : hex
            }.joined()
            return "serial:\(device)#\(node)"
        }
    }

    /// The UDP socket address, or `nil` for serial devices.
    public var socketAddress: SocketAddress? {
        if case .udp(let address) = self {
            return address
        }
        return nil
    }
}
