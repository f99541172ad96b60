import MQTTSN
import NIOCore

/// The MQTT-SN Forwarder Encapsulation as seen by the link: which logical client on the line a message belongs to.
///
/// ```
/// +--------+------+------+------------------+------------------------+
/// | length | 0xFE | ctrl | wireless node id | MQTT-SN message        |
/// +--------+------+------+------------------+------------------------+
/// |<---- length = 3 + node id length ------>|
/// ```
///
/// The link only splits and wraps; the encapsulated message travels unchanged.
public enum SerialForwarderEnvelope {
    static let encapsulationType: UInt8 = 0xFE
    /// Node ids accepted on the serial link.
    public static let nodeIdentityLengths = 1...16

    /// Splits a message into (node id, inner message), or (nil, message) when it is not encapsulated.
    public static func open(
        _ message: ByteBuffer
    ) throws(SerialFrameError) -> (
        forwarderNodeID: ByteBuffer?, message: ByteBuffer
    ) {
        let start = message.readerIndex
        guard message.getInteger(at: start + 1, as: UInt8.self) == Self.encapsulationType else {
            return (nil, message)
        }
        guard let headerLength = message.getInteger(at: start, as: UInt8.self).map(Int.init),
            Self.nodeIdentityLengths.contains(headerLength - 3),
            headerLength < message.readableBytes,
            let nodeID = message.getSlice(at: start + 3, length: headerLength - 3),
            let inner = message.getSlice(at: start + headerLength, length: message.readableBytes - headerLength)
        else {
            throw .malformedPayload("Forwarder Encapsulation header does not fit the frame")
        }
        try SerialLinkMessage.checkMQTTSNLength(inner)
        return (nodeID, inner)
    }

    /// Wraps `message` for the node `forwarderNodeID` (radius 0).
    public static func wrap(_ message: ByteBuffer, forwarderNodeID: ByteBuffer) -> ByteBuffer {
        MQTTSNForwarderEncapsulation.wrap(message, wirelessNodeID: forwarderNodeID.readableBytesView)
    }
}
