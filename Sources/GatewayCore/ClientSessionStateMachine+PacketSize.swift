import MQTTSN
import NIOCore

extension ClientSessionStateMachine {
    /// The encoded size of an MQTT-SN message whose fields after the length field take `fieldsSize` octets: one
    /// length octet up to 255 in total, three above.
    ///
    /// ```
    /// +--------+---------+--------+
    /// | Length | MsgType | fields |      Length: 1 octet, or 0x01 + 2 octets when the total exceeds 255
    /// +--------+---------+--------+
    /// ```
    static func encodedSize(fieldsSize: Int) -> Int {
        let short = 1 + fieldsSize
        return short <= 255 ? short : short + 2
    }

    /// PUBLISH: MsgType, Flags, TopicId (2), MsgId (2), Data.
    static func publishSize(of message: UpstreamMessage) -> Int {
        Self.encodedSize(fieldsSize: 6 + message.payload.readableBytes)
    }

    /// REGISTER: MsgType, TopicId (2), MsgId (2), TopicName.
    static func registerSize(of topic: String) -> Int {
        Self.encodedSize(fieldsSize: 5 + topic.utf8.count)
    }

    /// Drops `message` when its PUBLISH cannot reach the client (larger than ``maximumPacketSize``); `nil` when it
    /// fits.
    func dropIfTooLarge(_ message: UpstreamMessage) -> ClientSessionAction? {
        let size = Self.publishSize(of: message)
        guard size > self.maximumPacketSize else {
            return nil
        }
        return .deliveryDropped(message, .tooLarge, size: size)
    }

    /// Drops `message` when the REGISTER its topic needs first is larger than ``maximumPacketSize``.
    func dropIfRegisterTooLarge(_ message: UpstreamMessage) -> ClientSessionAction? {
        let size = Self.registerSize(of: message.topic)
        guard size > self.maximumPacketSize else {
            return nil
        }
        return .deliveryDropped(message, .tooLarge, size: size)
    }

    /// The in-flight message's retransmissions are used up: it is dropped, and only it. The session, its topic ids
    /// and the queue behind it stay, so the next message goes out (``nextDelivery(now:)``). A REGISTER that was
    /// never acknowledged gives its topic id back.
    mutating func abandonInFlight(_ inFlight: InFlight) -> ClientSessionAction {
        if case .registering(let topicID) = inFlight.stage {
            self.registry.remove(id: topicID)
        }
        self.inFlight = nil
        // Gone for the client: acknowledged upstream so that the broker's window moves on (counted as a drop).
        self.acknowledge(inFlight.downlink)
        var encoded = ByteBuffer()
        let size = (try? inFlight.packet.encode(into: &encoded)).map { encoded.readableBytes } ?? 0
        return .deliveryDropped(inFlight.message, .retriesExhausted, size: size)
    }
}
