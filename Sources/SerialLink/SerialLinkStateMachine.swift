import NIOCore

/// The gateway side of one serial link: handshake, version check, liveness and MQTT-SN hand-off.
///
/// ```
///                 HELLO ok / HELLO-ACK
///  awaitingHello ----------------------> linked --+ valid frame: refresh liveness
///   |  ^   ^  HELLO bad / REJECT          |  ^ <--+ HELLO: re-handshake
///   |  |   |                              v  |
///   |  |   |                             lost    (silence limit / RESET sent / bad re-HELLO)
///   |  |   +---- MQTTSN or PONG / RESET --'  '-- HELLO ok
///   |  +-- MQTTSN before HELLO / RESET (rate-limited)
///   +---- closed (from any state)
/// ```
///
/// Inputs are frames, clock ticks and close; outputs are ``Action``s for the channel handler to carry out. No I/O
/// happens here, so every transition is tested directly.
public struct SerialLinkStateMachine: Sendable {
    /// What the caller must do after an input.
    public enum Action: Hashable, Sendable {
        case none
        case send(SerialLinkMessage)
        /// Send `reply` (HELLO-ACK), then report the link up.
        case linkUp(DeviceHello, reply: SerialLinkMessage)
        /// The device said HELLO again while linked: report the old link lost, send `reply`, report the new one up.
        case relink(DeviceHello, reply: SerialLinkMessage)
        /// Send `reply` (REJECT); the link stays down.
        case reject(LinkReject, reply: SerialLinkMessage)
        /// Hand one MQTT-SN message to the gateway core.
        case deliverMQTTSN(ByteBuffer, forwarderNodeID: ByteBuffer?)
        /// Count and drop a frame whose payload is malformed.
        case dropMalformed(SerialFrameError)
        case linkLost(SerialLinkLossReason)
        /// Send `message` (RESET), then report the link lost.
        case sendAndLinkLost(SerialLinkMessage, SerialLinkLossReason)
    }

    /// Why the gateway could not send an MQTT-SN message.
    public struct SendError: Error, Hashable, Sendable, CustomStringConvertible {
        let reason: String
        /// The link is not up.
        public static let notLinked = SendError(reason: "serial link is not up")
        /// The message does not fit in the link maximum frame size.
        public static let tooLarge = SendError(reason: "message exceeds the link maximum frame size")
        public var description: String { self.reason }
    }

    struct Linked: Hashable, Sendable {
        var hello: DeviceHello
        var version: UInt8
        var linkMaximumFrameSize: Int
        var lastReceived: NIODeadline
        var lastPingSent: NIODeadline
    }

    enum State: Hashable, Sendable {
        case awaitingHello(lastResetSent: NIODeadline?)
        case linked(Linked)
        /// Was linked; behaves as awaiting HELLO but remembers why the link went down.
        case lost(SerialLinkLossReason, lastResetSent: NIODeadline?)
        case closed
    }

    /// Where the link stands, for diagnostics.
    public enum LinkState: Hashable, Sendable {
        case awaitingHello
        case linked(DeviceHello)
        case lost(SerialLinkLossReason)
        case closed
    }

    public let configuration: SerialLinkConfiguration
    private(set) var state: State = .awaitingHello(lastResetSent: nil)
    private var pingSequence: UInt32 = 0

    public init(configuration: SerialLinkConfiguration = SerialLinkConfiguration()) {
        self.configuration = configuration
    }

    public var linkState: LinkState {
        switch self.state {
        case .awaitingHello: .awaitingHello
        case .linked(let linked): .linked(linked.hello)
        case .lost(let reason, _): .lost(reason)
        case .closed: .closed
        }
    }

    /// The HELLO of the device while linked.
    public var linkedDevice: DeviceHello? {
        if case .linked(let linked) = self.state { return linked.hello }
        return nil
    }

    /// The negotiated link maximum frame size while linked.
    public var linkMaximumFrameSize: Int? {
        if case .linked(let linked) = self.state { return linked.linkMaximumFrameSize }
        return nil
    }

    public mutating func frameReceived(_ frame: SerialFrame, now: NIODeadline) -> Action {
        let message: SerialLinkMessage
        do {
            message = try SerialLinkMessage(frame: frame)
        } catch {
            if frame.type == .hello, self.linkedDevice == nil, self.state != .closed {
                let reject = LinkReject(reason: .malformedHello, gatewayVersions: self.configuration.supportedVersions)
                return .reject(reject, reply: .reject(reject))
            }
            self.refreshLiveness(now)
            return .dropMalformed(error)
        }
        return self.messageReceived(message, now: now)
    }

    public mutating func messageReceived(_ message: SerialLinkMessage, now: NIODeadline) -> Action {
        switch (self.state, message) {
        case (.closed, _):
            return .none

        case (_, .hello(let hello)):
            return self.helloReceived(hello, now: now)

        case (_, .linkPing(let token)):
            self.refreshLiveness(now)
            return .send(.linkPong(token: token))

        case (.linked, .linkPong):
            self.refreshLiveness(now)
            return .none

        case (.linked(let linked), .mqttsn(let message)):
            self.refreshLiveness(now)
            guard message.readableBytes + SerialFrame.overhead <= linked.linkMaximumFrameSize else {
                return .dropMalformed(.oversize)
            }
            do {
                let (nodeID, inner) = try SerialForwarderEnvelope.open(message)
                return .deliverMQTTSN(inner, forwarderNodeID: nodeID)
            } catch {
                return .dropMalformed(error)
            }

        case (.awaitingHello, .mqttsn), (.awaitingHello, .linkPong), (.lost, .mqttsn), (.lost, .linkPong):
            // The device believes it is linked (we restarted, or declared it lost while it was only stalled).
            // Ask it to say HELLO, but not on every frame.
            if let lastResetSent = self.lastResetSent, now - lastResetSent < self.configuration.resetRateLimit {
                return .none
            }
            self.markResetSent(now)
            return .send(.reset(.rehello))

        case (_, .helloAck), (_, .reject), (_, .reset):
            // Gateway-to-device frames echoed back or sent by a confused peer.
            self.refreshLiveness(now)
            return .dropMalformed(.malformedPayload("device sent a gateway-only frame"))
        }
    }

    /// Clock input; call at least a few times per keepalive interval.
    public mutating func tick(now: NIODeadline) -> Action {
        guard case .linked(var linked) = self.state, self.configuration.keepaliveSeconds > 0 else {
            return .none
        }
        let interval = self.configuration.effectiveKeepalive
        let silence = now - linked.lastReceived
        if silence >= interval * Int64(self.configuration.silenceLimitMultiplier) {
            self.state = .lost(.silence, lastResetSent: nil)
            return .linkLost(.silence)
        }
        guard silence >= interval, now - linked.lastPingSent >= interval else {
            return .none
        }
        linked.lastPingSent = now
        self.state = .linked(linked)
        self.pingSequence &+= 1
        var token = ByteBuffer()
        token.writeInteger(self.pingSequence)
        return .send(.linkPing(token: token))
    }

    /// The gateway decided to reset the link (e.g. after an error upstream).
    public mutating func resetRequested(_ mode: LinkResetMode, now: NIODeadline) -> Action {
        switch self.state {
        case .closed:
            return .none
        case .awaitingHello, .lost:
            self.markResetSent(now)
            return .send(.reset(mode))
        case .linked:
            self.state = .lost(.resetByGateway, lastResetSent: now)
            return .sendAndLinkLost(.reset(mode), .resetByGateway)
        }
    }

    /// The channel closed.
    public mutating func channelClosed() -> Action {
        let wasLinked: Bool
        if case .linked = self.state { wasLinked = true } else { wasLinked = false }
        self.state = .closed
        return wasLinked ? .linkLost(.channelClosed) : .none
    }

    /// Checks that an MQTT-SN message may be sent now and returns its frame.
    public func frameForMQTTSN(_ message: ByteBuffer, forwarderNodeID: ByteBuffer?) throws(SendError) -> SerialFrame {
        guard case .linked(let linked) = self.state else {
            throw .notLinked
        }
        let payload = forwarderNodeID.map { SerialForwarderEnvelope.wrap(message, forwarderNodeID: $0) } ?? message
        guard payload.readableBytes + SerialFrame.overhead <= linked.linkMaximumFrameSize else {
            throw .tooLarge
        }
        return SerialFrame(type: .mqttsn, payload: payload)
    }

    private mutating func helloReceived(_ hello: DeviceHello, now: NIODeadline) -> Action {
        let ours = self.configuration.supportedVersions
        let wasLinked: Bool
        if case .linked = self.state { wasLinked = true } else { wasLinked = false }
        guard hello.supportedVersions.overlaps(ours) else {
            return self.rejectHello(.unsupportedVersion, wasLinked: wasLinked, now: now)
        }
        guard Int(hello.maximumFrameSize) >= SerialFrame.minimumAnnouncedMaximumSize else {
            return self.rejectHello(.frameSizeTooSmall, wasLinked: wasLinked, now: now)
        }
        let ourMaximum = min(
            max(self.configuration.maximumFrameSize, SerialFrame.minimumAnnouncedMaximumSize),
            SerialFrame.hardMaximumSize
        )
        let linkMaximum = min(ourMaximum, Int(hello.maximumFrameSize))
        let version = min(ours.upperBound, hello.supportedVersions.upperBound)
        self.state = .linked(
            Linked(
                hello: hello,
                version: version,
                linkMaximumFrameSize: linkMaximum,
                lastReceived: now,
                lastPingSent: now
            )
        )
        let ack = HelloAck(
            version: version,
            maximumFrameSize: UInt16(ourMaximum),
            keepaliveSeconds: self.configuration.keepaliveSeconds
        )
        return wasLinked ? .relink(hello, reply: .helloAck(ack)) : .linkUp(hello, reply: .helloAck(ack))
    }

    private mutating func rejectHello(_ reason: LinkReject.Reason, wasLinked: Bool, now: NIODeadline) -> Action {
        let reject = LinkReject(reason: reason, gatewayVersions: self.configuration.supportedVersions)
        if wasLinked {
            self.state = .lost(.deviceRestarted, lastResetSent: nil)
            return .sendAndLinkLost(.reject(reject), .deviceRestarted)
        }
        return .reject(reject, reply: .reject(reject))
    }

    private var lastResetSent: NIODeadline? {
        switch self.state {
        case .awaitingHello(let lastResetSent), .lost(_, let lastResetSent): lastResetSent
        case .linked, .closed: nil
        }
    }

    private mutating func markResetSent(_ now: NIODeadline) {
        switch self.state {
        case .awaitingHello: self.state = .awaitingHello(lastResetSent: now)
        case .lost(let reason, _): self.state = .lost(reason, lastResetSent: now)
        case .linked, .closed: break
        }
    }

    private mutating func refreshLiveness(_ now: NIODeadline) {
        guard case .linked(var linked) = self.state else { return }
        linked.lastReceived = now
        self.state = .linked(linked)
    }
}
