import NIOCore

/// Everything an ``MQTTClient`` needs to reach and talk to a broker.
public struct MQTTClientConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// TLS towards the broker; nil for plain TCP.
    public var tls: MQTTTLSConfiguration?
    public var protocolVersion: MQTTProtocolVersion
    /// May be empty with a clean session, in which case the broker assigns one.
    public var clientID: String
    /// Clean Session (3.1.1) / Clean Start (5.0).
    public var cleanSession: Bool
    /// PINGREQ is sent when nothing else was sent for this long; a connection silent for this long after a
    /// PINGREQ is considered dead. Rounded down to whole seconds; zero disables keep alive.
    public var keepAlive: TimeAmount
    /// MQTT 5.0: how long the broker keeps the session after the connection ends (nil: 0, ends with it).
    public var sessionExpiryInterval: UInt32?
    public var will: MQTTWill?
    public var username: String?
    public var password: [UInt8]?
    /// The largest packet we accept, fixed header included; announced to MQTT 5.0 brokers.
    public var maximumPacketSize: Int
    /// How many QoS 1/2 publishes may await acknowledgement at once; further publishes queue. MQTT 5.0 brokers
    /// may lower it with Receive Maximum.
    public var maximumInFlight: Int
    /// How many QoS 1/2 publishes may wait behind the in-flight limit or for a reconnect; beyond that a publish
    /// fails with ``MQTTClientError/queueFull`` instead of growing memory while the broker is away.
    public var maximumQueuedPublishes: Int
    /// How long TCP connect, TLS handshake and CONNACK may take together.
    public var connectTimeout: TimeAmount
    /// Automatic reconnect after a lost connection; nil reports the loss and stays disconnected.
    public var reconnect: MQTTReconnectPolicy?
    /// How soon a silent connection (a partition without RST) is declared dead, independent of the keep alive
    /// told to the broker: when nothing arrived for a third of it a PINGREQ goes out, and when nothing answers
    /// within another third the connection is closed. nil: the keep alive alone decides.
    public var partitionTimeout: TimeAmount?
    /// MQTT 5.0 Receive Maximum: how many QoS 1/2 messages the broker may have unacknowledged towards us at once.
    /// nil announces ``maximumInFlight`` as before.
    public var receiveMaximum: Int?

    public init(
        host: String,
        port: Int = 1883,
        tls: MQTTTLSConfiguration? = nil,
        protocolVersion: MQTTProtocolVersion = .v3_1_1,
        clientID: String,
        cleanSession: Bool = true,
        keepAlive: TimeAmount = .seconds(60),
        sessionExpiryInterval: UInt32? = nil,
        will: MQTTWill? = nil,
        username: String? = nil,
        password: [UInt8]? = nil,
        maximumPacketSize: Int = 1 << 20,
        maximumInFlight: Int = 32,
        maximumQueuedPublishes: Int = 10_000,
        connectTimeout: TimeAmount = .seconds(10),
        reconnect: MQTTReconnectPolicy? = nil,
        partitionTimeout: TimeAmount? = nil,
        receiveMaximum: Int? = nil
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.protocolVersion = protocolVersion
        self.clientID = clientID
        self.cleanSession = cleanSession
        self.keepAlive = keepAlive
        self.sessionExpiryInterval = sessionExpiryInterval
        self.will = will
        self.username = username
        self.password = password
        self.maximumPacketSize = maximumPacketSize
        self.maximumInFlight = maximumInFlight
        self.maximumQueuedPublishes = maximumQueuedPublishes
        self.connectTimeout = connectTimeout
        self.reconnect = reconnect
        self.partitionTimeout = partitionTimeout
        self.receiveMaximum = receiveMaximum
    }

    /// Keep alive in seconds as CONNECT carries it.
    var keepAliveSeconds: UInt16 {
        UInt16(clamping: keepAlive.nanoseconds / 1_000_000_000)
    }

    /// The CONNECT packet this configuration sends.
    func makeConnectPacket() -> MQTTConnectPacket {
        var properties = MQTTProperties()
        if protocolVersion == .v5 {
            if let sessionExpiryInterval, sessionExpiryInterval > 0 {
                properties.append(.sessionExpiryInterval(sessionExpiryInterval))
            }
            properties.append(.receiveMaximum(UInt16(clamping: max(1, receiveMaximum ?? maximumInFlight))))
            properties.append(.maximumPacketSize(UInt32(clamping: maximumPacketSize)))
            // Topic alias maximum 0 is the default; we never accept aliases, so inbound topics are always complete.
        }
        return MQTTConnectPacket(
            protocolVersion: protocolVersion,
            cleanSession: cleanSession,
            keepAliveSeconds: keepAliveSeconds,
            clientID: clientID,
            will: will,
            username: username,
            password: password,
            properties: properties
        )
    }
}
