import NIOCore

/// A serial frame with its payload parsed according to its type.
public enum SerialLinkMessage: Hashable, Sendable {
    /// The largest LINK-PING / LINK-PONG token.
    public static let maximumPingTokenLength = 8

    case hello(DeviceHello)
    case helloAck(HelloAck)
    case reject(LinkReject)
    case linkPing(token: ByteBuffer)
    case linkPong(token: ByteBuffer)
    case reset(LinkResetMode)
    /// One MQTT-SN message, its length field included, possibly a Forwarder Encapsulation.
    case mqttsn(ByteBuffer)
}
