import Logging
import MQTTSN
import MQTTSNTransport
import NIOCore

extension GatewayEngine {
    /// What became of a datagram that may be a Forwarder Encapsulation.
    enum ForwardedDatagram {
        /// Not encapsulated: handle it as it is.
        case direct
        /// Encapsulated and accepted: the relayed message, and the wireless node's own client address.
        case relayed(ByteBuffer, from: MQTTSNClientAddress)
        /// Encapsulated but not accepted (malformed, forwarders off, a source not allowed): counted and logged.
        case dropped
    }

    /// The node ids a forwarder may use: the length a one-octet encapsulation header leaves room for, capped at
    /// 16 octets (ZigBee's 64-bit and most radio addresses fit in 8).
    static let wirelessNodeIDLengths = 1...16

    /// Unwraps a Forwarder Encapsulation (specification section 5.5) that came over UDP: each wireless node behind
    /// a forwarder is its own client address, `.udpForwarded(<forwarder>, wirelessNodeID:)`, with its own session,
    /// and everything sent there goes back encapsulated (the UDP transport wraps it). The relayed message is left
    /// undecoded, so that a malformed one is refused to its node like any other.
    func unwrapForwarded(_ bytes: ByteBuffer, from address: MQTTSNClientAddress) -> ForwardedDatagram {
        guard case .udp(let forwarder) = address else {
            return .direct
        }
        let envelope: MQTTSNForwarderEncapsulation.Envelope
        do {
            guard let opened = try MQTTSNForwarderEncapsulation.open(bytes) else {
                return .direct
            }
            envelope = opened
        } catch {
            self.metrics.malformed()
            self.logMalformed(address: address, error: error, size: bytes.readableBytes)
            return .dropped
        }
        let nodeID = Array(envelope.wirelessNodeID.readableBytesView)
        guard self.configuration.forwarders.enabled else {
            return self.forwardedDropped("forwarder_disabled", forwarder: forwarder, nodeID: nodeID)
        }
        if !self.forwarderSources.isEmpty, !self.forwarderSources.contains(where: { $0.contains(forwarder) }) {
            return self.forwardedDropped("forwarder_not_allowed", forwarder: forwarder, nodeID: nodeID)
        }
        guard Self.wirelessNodeIDLengths.contains(nodeID.count) else {
            return self.forwardedDropped("forwarder_node_id_invalid", forwarder: forwarder, nodeID: nodeID)
        }
        guard MQTTSNMessageHeader(peeking: envelope.message)?.type != .forwarderEncapsulation else {
            self.metrics.malformed()
            self.logMalformed(
                address: address,
                error: MQTTSNDecodingError.nestedForwarderEncapsulation,
                size: bytes.readableBytes
            )
            return .dropped
        }
        return .relayed(envelope.message, from: .udpForwarded(forwarder, wirelessNodeID: nodeID))
    }

    private func forwardedDropped(_ reason: String, forwarder: SocketAddress, nodeID: [UInt8]) -> ForwardedDatagram {
        self.metrics.dropped(reason)
        self.throttledNotice(
            "Forwarder Encapsulation dropped",
            metadata: [
                "peer.address": "\(MQTTSNClientAddress.udpForwarded(forwarder, wirelessNodeID: nodeID))",
                "drop.reason": "\(reason)",
            ]
        )
        return .dropped
    }
}
