import NIOCore

extension SerialLinkMessage {
    /// Parses the payload of a frame whose type is known.
    public init(frame: SerialFrame) throws(SerialFrameError) {
        switch frame.type {
        case .hello:
            self = .hello(try DeviceHello(payload: frame.payload))
        case .helloAck:
            self = .helloAck(try HelloAck(payload: frame.payload))
        case .reject:
            self = .reject(try LinkReject(payload: frame.payload))
        case .linkPing, .linkPong:
            guard frame.payload.readableBytes <= Self.maximumPingTokenLength else {
                throw .malformedPayload("\(frame.type) token longer than 8 bytes")
            }
            self = frame.type == .linkPing ? .linkPing(token: frame.payload) : .linkPong(token: frame.payload)
        case .reset:
            guard frame.payload.readableBytes == 1,
                let mode = frame.payload.getInteger(at: frame.payload.readerIndex, as: UInt8.self)
            else {
                throw .malformedPayload("RESET must carry one mode byte")
            }
            self = .reset(LinkResetMode(rawValue: mode))
        case .mqttsn:
            try Self.checkMQTTSNLength(frame.payload)
            self = .mqttsn(frame.payload)
        default:
            throw .unknownType
        }
    }

    /// The frame carrying this message.
    public var frame: SerialFrame {
        var payload = ByteBuffer()
        let type: SerialFrameType
        switch self {
        case .hello(let hello):
            type = .hello
            hello.write(into: &payload)
        case .helloAck(let ack):
            type = .helloAck
            ack.write(into: &payload)
        case .reject(let reject):
            type = .reject
            reject.write(into: &payload)
        case .linkPing(let token):
            return SerialFrame(type: .linkPing, payload: token)
        case .linkPong(let token):
            return SerialFrame(type: .linkPong, payload: token)
        case .reset(let mode):
            type = .reset
            payload.writeInteger(mode.rawValue)
        case .mqttsn(let message):
            return SerialFrame(type: .mqttsn, payload: message)
        }
        return SerialFrame(type: type, payload: payload)
    }

    /// The MQTT-SN length field must match the frame payload (a Forwarder Encapsulation's covers its header only).
    static func checkMQTTSNLength(_ message: ByteBuffer) throws(SerialFrameError) {
        let start = message.readerIndex
        guard let first = message.getInteger(at: start, as: UInt8.self), message.readableBytes >= 2 else {
            throw .malformedPayload("MQTT-SN message shorter than 2 bytes")
        }
        if message.getInteger(at: start + 1, as: UInt8.self) == SerialForwarderEnvelope.encapsulationType {
            return
        }
        let declared: Int
        if first == 0x01 {
            guard let long = message.getInteger(at: start + 1, as: UInt16.self) else {
                throw .malformedPayload("MQTT-SN 3-byte length field truncated")
            }
            declared = Int(long)
        } else {
            declared = Int(first)
        }
        guard declared == message.readableBytes else {
            throw .malformedPayload("MQTT-SN length field \(declared) but frame carries \(message.readableBytes) bytes")
        }
    }
}
