/// The one-octet `MsgType` field of every MQTT-SN v1.2 message (specification section 5.2.2).
///
/// Codes the specification lists as reserved (0x03, 0x11, 0x19, 0x1E...0xFD, 0xFF) have no case: a decoder
/// meeting one answers ``MQTTSNDecodingError/unknownMessageType(_:)``.
public enum MQTTSNMessageType: UInt8, Sendable, Hashable, CaseIterable {
    case advertise = 0x00
    case searchGateway = 0x01
    case gatewayInfo = 0x02
    case connect = 0x04
    case connectAck = 0x05
    case willTopicRequest = 0x06
    case willTopic = 0x07
    case willMessageRequest = 0x08
    case willMessage = 0x09
    case register = 0x0A
    case registerAck = 0x0B
    case publish = 0x0C
    case publishAck = 0x0D
    case publishComplete = 0x0E
    case publishReceived = 0x0F
    case publishRelease = 0x10
    case subscribe = 0x12
    case subscribeAck = 0x13
    case unsubscribe = 0x14
    case unsubscribeAck = 0x15
    case pingRequest = 0x16
    case pingResponse = 0x17
    case disconnect = 0x18
    case willTopicUpdate = 0x1A
    case willTopicResponse = 0x1B
    case willMessageUpdate = 0x1C
    case willMessageResponse = 0x1D
    case forwarderEncapsulation = 0xFE
}
