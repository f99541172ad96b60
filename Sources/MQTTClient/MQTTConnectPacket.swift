/// CONNECT: the first packet a client sends.
///
///     fixed header   ┌──────────┬──────────────────┐
///                    │ 0x10     │ remaining length │
///                    └──────────┴──────────────────┘
///     variable header┌──────────────────┬───────┬───────┬────────────┬─────────────────┐
///                    │ 00 04 'M''Q''T''T'│ level │ flags │ keep alive │ properties (v5) │
///                    └──────────────────┴───────┴───────┴────────────┴─────────────────┘
///     connect flags  ┌─────┬─────┬──────┬───────────┬──────┬───────┬────────┐
///                    │user │pass │ will │ will QoS  │ will │ clean │reserved│
///                    │name │word │retain│  (2 bits) │ flag │ start │   0    │
///                    └─────┴─────┴──────┴───────────┴──────┴───────┴────────┘
///     payload        client id, [will properties (v5), will topic, will payload], [user name], [password]
public struct MQTTConnectPacket: Sendable, Hashable {
    public var protocolVersion: MQTTProtocolVersion
    /// Clean Session (3.1.1) / Clean Start (5.0).
    public var cleanSession: Bool
    public var keepAliveSeconds: UInt16
    public var clientID: String
    public var will: MQTTWill?
    public var username: String?
    public var password: [UInt8]?
    /// MQTT 5.0 CONNECT properties.
    public var properties: MQTTProperties

    public init(
        protocolVersion: MQTTProtocolVersion,
        cleanSession: Bool,
        keepAliveSeconds: UInt16,
        clientID: String,
        will: MQTTWill? = nil,
        username: String? = nil,
        password: [UInt8]? = nil,
        properties: MQTTProperties = MQTTProperties()
    ) {
        self.protocolVersion = protocolVersion
        self.cleanSession = cleanSession
        self.keepAliveSeconds = keepAliveSeconds
        self.clientID = clientID
        self.will = will
        self.username = username
        self.password = password
        self.properties = properties
    }
}
