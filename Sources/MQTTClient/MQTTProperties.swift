import NIOCore

/// The MQTT 5.0 properties of a packet, in wire order. Empty (and allocation-free) for MQTT 3.1.1.
public struct MQTTProperties: Sendable, Hashable, ExpressibleByArrayLiteral {
    /// Every property in the order it appears (or will appear) on the wire.
    public var entries: [MQTTProperty]

    public init() {
        self.entries = []
    }

    public init(_ entries: [MQTTProperty]) {
        self.entries = entries
    }

    public init(arrayLiteral elements: MQTTProperty...) {
        self.entries = elements
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// Appends a property.
    public mutating func append(_ property: MQTTProperty) {
        entries.append(property)
    }

    /// The session expiry interval in seconds (0x11).
    public var sessionExpiryInterval: UInt32? {
        for case .sessionExpiryInterval(let value) in entries { return value }
        return nil
    }

    /// The receive maximum (0x21).
    public var receiveMaximum: UInt16? {
        for case .receiveMaximum(let value) in entries { return value }
        return nil
    }

    /// The maximum packet size (0x27).
    public var maximumPacketSize: UInt32? {
        for case .maximumPacketSize(let value) in entries { return value }
        return nil
    }

    /// The server keep alive in seconds (0x13).
    public var serverKeepAlive: UInt16? {
        for case .serverKeepAlive(let value) in entries { return value }
        return nil
    }

    /// The client identifier the server assigned (0x12).
    public var assignedClientIdentifier: String? {
        for case .assignedClientIdentifier(let value) in entries { return value }
        return nil
    }

    /// The reason string (0x1F).
    public var reasonString: String? {
        for case .reasonString(let value) in entries { return value }
        return nil
    }

    /// The maximum QoS the server supports (0x24).
    public var maximumQoS: MQTTQoS? {
        for case .maximumQoS(let value) in entries { return MQTTQoS(rawValue: value) }
        return nil
    }

    /// Whether the server supports retained messages (0x25).
    public var retainAvailable: Bool? {
        for case .retainAvailable(let value) in entries { return value != 0 }
        return nil
    }

    /// The topic alias maximum (0x22).
    public var topicAliasMaximum: UInt16? {
        for case .topicAliasMaximum(let value) in entries { return value }
        return nil
    }

    /// The message expiry interval in seconds (0x02).
    public var messageExpiryInterval: UInt32? {
        for case .messageExpiryInterval(let value) in entries { return value }
        return nil
    }

    /// The content type (0x03).
    public var contentType: String? {
        for case .contentType(let value) in entries { return value }
        return nil
    }

    /// The response topic (0x08).
    public var responseTopic: String? {
        for case .responseTopic(let value) in entries { return value }
        return nil
    }

    /// The correlation data (0x09).
    public var correlationData: ByteBuffer? {
        for case .correlationData(let value) in entries { return value }
        return nil
    }

    /// The topic alias (0x23).
    public var topicAlias: UInt16? {
        for case .topicAlias(let value) in entries { return value }
        return nil
    }

    /// Every subscription identifier (0x0B).
    public var subscriptionIdentifiers: [UInt32] {
        entries.compactMap { if case .subscriptionIdentifier(let value) = $0 { value } else { nil } }
    }

    /// Every user property (0x26), in order.
    public var userProperties: [(name: String, value: String)] {
        entries.compactMap { if case .userProperty(let name, let value) = $0 { (name, value) } else { nil } }
    }
}
