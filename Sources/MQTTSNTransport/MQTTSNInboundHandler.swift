import NIOCore

/// Receives what a transport read. The gateway implements this.
public protocol MQTTSNInboundHandler: AnyObject, Sendable {
    /// One datagram or frame, exactly as received, from `address` through `transport`.
    func receive(_ bytes: ByteBuffer, from address: MQTTSNClientAddress, via transport: any MQTTSNTransport)

    /// The transport finished a read burst; a good moment to flush replies.
    func receiveBurstComplete(via transport: any MQTTSNTransport)
}
