import NIOCore

/// Receives what a serial link brings up: the hand-off to the gateway core.
///
/// Methods are called on the link's event loop, in order. The link knows nothing about MQTT: messages are MQTT-SN
/// bytes, length field included, exactly as a UDP transport would deliver them.
public protocol SerialLinkDelegate: AnyObject, Sendable {
    /// The device completed the handshake (or, in raw mode, the port opened).
    func serialLink(_ connection: SerialLinkConnection, linkUp device: DeviceHello)
    /// The link went down; MQT-SN clients on it are unreachable until the next `linkUp`.
    func serialLink(_ connection: SerialLinkConnection, linkDown reason: SerialLinkLossReason)
    /// One MQTT-SN message from the device's own client (`forwarderNodeID == nil`) or a node behind it.
    func serialLink(_ connection: SerialLinkConnection, received message: ByteBuffer, forwarderNodeID: ByteBuffer?)
    /// A line the device printed outside frames.
    func serialLink(_ connection: SerialLinkConnection, consoleLine: String)
    /// The device's HELLO was refused (no version in common, malformed, frame size too small); the link stays down.
    func serialLink(_ connection: SerialLinkConnection, refused reject: LinkReject)
    /// The link finished handling one read from the port: a good moment to flush replies.
    func serialLinkReadComplete(_ connection: SerialLinkConnection)
}

extension SerialLinkDelegate {
    public func serialLink(_ connection: SerialLinkConnection, consoleLine: String) {}
    public func serialLink(_ connection: SerialLinkConnection, refused reject: LinkReject) {}
    public func serialLinkReadComplete(_ connection: SerialLinkConnection) {}
}
