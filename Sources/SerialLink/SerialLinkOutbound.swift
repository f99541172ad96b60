import NIOCore

/// What the gateway writes into a serial link channel.
public enum SerialLinkOutbound: Sendable {
    /// One MQTT-SN message for the device's own client (`forwarderNodeID == nil`) or a node behind it.
    case mqttsn(ByteBuffer, forwarderNodeID: ByteBuffer?)
    /// Ask the device to re-hello or reboot.
    case reset(LinkResetMode)
}
