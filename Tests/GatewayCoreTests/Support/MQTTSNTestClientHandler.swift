import MQTTSN
import NIOCore

/// Decodes datagrams into the inbox.
final class MQTTSNTestClientHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let inbox: MQTTSNTestClientInbox

    init(inbox: MQTTSNTestClientInbox) {
        self.inbox = inbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = self.unwrapInboundIn(data).data
        guard let packet = try? MQTTSNPacket.decode(from: &buffer) else {
            return
        }
        self.inbox.deliver(packet)
    }
}
