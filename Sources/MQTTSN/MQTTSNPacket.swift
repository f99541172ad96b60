/// One MQTT-SN v1.2 message, of any type.
///
/// Every message starts with the same header, followed by a body whose layout the message type fixes (see the
/// struct of each case):
///
/// ```
/// short form, total length 2...255:      long form, total length 256...65535 (also accepted below 256):
/// +--------+---------+---------+          +------+-----------------+---------+---------+
/// | Length | MsgType |  body   |          | 0x01 | Length (2, BE)  | MsgType |  body   |
/// |   1    |    1    | Length-2|          |  1   |        2        |    1    | Length-4|
/// +--------+---------+---------+          +------+-----------------+---------+---------+
/// ```
///
/// `Length` counts the whole message including itself. Decode with ``decode(from:limits:)`` and encode with
/// ``encode(into:)``.
public enum MQTTSNPacket: Sendable, Hashable {
    case advertise(MQTTSNAdvertise)
    case searchGateway(MQTTSNSearchGateway)
    case gatewayInfo(MQTTSNGatewayInfo)
    case connect(MQTTSNConnect)
    case connectAck(MQTTSNConnectAck)
    case willTopicRequest(MQTTSNWillTopicRequest)
    case willTopic(MQTTSNWillTopic)
    case willMessageRequest(MQTTSNWillMessageRequest)
    case willMessage(MQTTSNWillMessage)
    case register(MQTTSNRegister)
    case registerAck(MQTTSNRegisterAck)
    case publish(MQTTSNPublish)
    case publishAck(MQTTSNPublishAck)
    case publishReceived(MQTTSNPublishReceived)
    case publishRelease(MQTTSNPublishRelease)
    case publishComplete(MQTTSNPublishComplete)
    case subscribe(MQTTSNSubscribe)
    case subscribeAck(MQTTSNSubscribeAck)
    case unsubscribe(MQTTSNUnsubscribe)
    case unsubscribeAck(MQTTSNUnsubscribeAck)
    case pingRequest(MQTTSNPingRequest)
    case pingResponse(MQTTSNPingResponse)
    case disconnect(MQTTSNDisconnect)
    case willTopicUpdate(MQTTSNWillTopicUpdate)
    case willTopicResponse(MQTTSNWillTopicResponse)
    case willMessageUpdate(MQTTSNWillMessageUpdate)
    case willMessageResponse(MQTTSNWillMessageResponse)
    // Indirect because the encapsulation holds a packet itself.
    indirect case forwarderEncapsulation(MQTTSNForwarderEncapsulation)

    /// The `MsgType` this packet is sent with.
    public var messageType: MQTTSNMessageType {
        switch self {
        case .advertise: .advertise
        case .searchGateway: .searchGateway
        case .gatewayInfo: .gatewayInfo
        case .connect: .connect
        case .connectAck: .connectAck
        case .willTopicRequest: .willTopicRequest
        case .willTopic: .willTopic
        case .willMessageRequest: .willMessageRequest
        case .willMessage: .willMessage
        case .register: .register
        case .registerAck: .registerAck
        case .publish: .publish
        case .publishAck: .publishAck
        case .publishReceived: .publishReceived
        case .publishRelease: .publishRelease
        case .publishComplete: .publishComplete
        case .subscribe: .subscribe
        case .subscribeAck: .subscribeAck
        case .unsubscribe: .unsubscribe
        case .unsubscribeAck: .unsubscribeAck
        case .pingRequest: .pingRequest
        case .pingResponse: .pingResponse
        case .disconnect: .disconnect
        case .willTopicUpdate: .willTopicUpdate
        case .willTopicResponse: .willTopicResponse
        case .willMessageUpdate: .willMessageUpdate
        case .willMessageResponse: .willMessageResponse
        case .forwarderEncapsulation: .forwarderEncapsulation
        }
    }
}
