import MQTTSN
import MQTTSNTransport
import NIOCore

/// A transport without sockets, standing in for a serial line: the test hands bytes to the gateway itself, and
/// what the gateway sends lands (decoded) in an inbox.
final class InMemoryTransport: MQTTSNTransport {
    let name = "memory"
    let inbox: MQTTSNTestClientInbox

    /// `eventLoop` must be the gateway's: that is where it sends from.
    init(eventLoop: any EventLoop) {
        self.inbox = MQTTSNTestClientInbox(eventLoop: eventLoop)
    }

    func canReach(_ address: MQTTSNClientAddress) -> Bool {
        if case .serial = address { return true }
        return false
    }

    /// Encapsulates for a wireless node in band, as a transport carrying raw MQTT-SN to a forwarder does.
    func send(_ message: ByteBuffer, to address: MQTTSNClientAddress) {
        var buffer = message
        guard let packet = try? MQTTSNPacket.decode(from: &buffer) else {
            return
        }
        if case .serial(_, let nodeID?) = address {
            self.inbox.deliver(
                .forwarderEncapsulation(
                    MQTTSNForwarderEncapsulation(wirelessNodeID: ByteBuffer(bytes: nodeID), message: packet)
                )
            )
        } else {
            self.inbox.deliver(packet)
        }
    }

    func flush() {}

    static func encode(_ packet: MQTTSNPacket) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        try packet.encode(into: &buffer)
        return buffer
    }
}
