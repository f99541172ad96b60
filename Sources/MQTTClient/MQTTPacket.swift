/// Every MQTT control packet this client sends or receives (AUTH is not supported).
///
///     fixed header of every packet
///     ┌───────────────┬───────────────┬─────────────────────────────┐
///     │ type (4 bits) │ flags (4 bits)│ remaining length (1-4 bytes)│
///     └───────────────┴───────────────┴─────────────────────────────┘
public enum MQTTPacket: Sendable, Hashable {
    case connect(MQTTConnectPacket)
    case connack(MQTTConnAckPacket)
    case publish(MQTTPublishPacket)
    case puback(MQTTPublishResponsePacket)
    case pubrec(MQTTPublishResponsePacket)
    case pubrel(MQTTPublishResponsePacket)
    case pubcomp(MQTTPublishResponsePacket)
    case subscribe(MQTTSubscribePacket)
    case suback(MQTTSubAckPacket)
    case unsubscribe(MQTTUnsubscribePacket)
    case unsuback(MQTTUnsubAckPacket)
    case pingreq
    case pingresp
    case disconnect(MQTTDisconnectPacket)

    /// The packet type in the high nibble of the first byte.
    public var packetType: UInt8 {
        switch self {
        case .connect: 1
        case .connack: 2
        case .publish: 3
        case .puback: 4
        case .pubrec: 5
        case .pubrel: 6
        case .pubcomp: 7
        case .subscribe: 8
        case .suback: 9
        case .unsubscribe: 10
        case .unsuback: 11
        case .pingreq: 12
        case .pingresp: 13
        case .disconnect: 14
        }
    }

    /// A short name for logs (`packet.type`).
    public var name: String {
        switch self {
        case .connect: "CONNECT"
        case .connack: "CONNACK"
        case .publish: "PUBLISH"
        case .puback: "PUBACK"
        case .pubrec: "PUBREC"
        case .pubrel: "PUBREL"
        case .pubcomp: "PUBCOMP"
        case .subscribe: "SUBSCRIBE"
        case .suback: "SUBACK"
        case .unsubscribe: "UNSUBSCRIBE"
        case .unsuback: "UNSUBACK"
        case .pingreq: "PINGREQ"
        case .pingresp: "PINGRESP"
        case .disconnect: "DISCONNECT"
        }
    }
}
