import Logging
import MQTTSN
import MQTTSNTransport
import NIOCore

/// Who may speak for a client id, what it may publish and subscribe to, and what a session may cost.
///
/// ```
/// CONNECT ─▶ identity (authentication policy, allowed_sources, DTLS identity)
///         ─▶ takeover (a live session elsewhere stays where it is)
///         ─▶ max_clients, source prefix limits
///         ─▶ session created; only now is anything opened upstream
/// ```
///
/// Every refusal is answered with CONNACK (0x03 for policy, 0x01 for limits), counted under its reason, and logged
/// at most once per second per reason.
extension GatewayEngine {
    // MARK: CONNECT

    /// The keepalive a session is supervised with: the client's, capped by `gateway.max_keepalive`, which also
    /// replaces 0 (no supervision), so that no forged session lives forever.
    func supervisedKeepAlive(_ requested: UInt16) -> UInt16 {
        let cap = self.configuration.security.maxKeepAlive
        return requested == 0 || requested > cap ? cap : requested
    }

    /// Why `connect` may not have (or continue) its client id's session from `address`, or `nil`.
    func admissionRefusal(
        for connect: MQTTSNConnect,
        from address: MQTTSNClientAddress,
        via transport: any MQTTSNTransport,
        now: NIODeadline
    ) -> ConnectRefusal? {
        if let refusal = self.identityRefusal(clientID: connect.clientID, from: address, via: transport) {
            return refusal
        }
        if let template = self.mountpointTemplate(for: connect.clientID), template.contains("%c"),
            !TopicAccessControl.isSubstitutable(connect.clientID)
        {
            return .invalidClientID
        }
        if let existing = self.sessions[connect.clientID], !self.isSamePeer(existing, address: address, via: transport),
            !self.mayMove(existing, to: address, via: transport, now: now)
        {
            return .sessionInUse
        }
        return nil
    }

    /// Whether `address` over `transport` is where `session`'s client is. The same source address over another
    /// transport is another peer when either is DTLS: a forged plain datagram must not continue a DTLS client's
    /// session (see ``session(for:via:)``).
    func isSamePeer(_ session: ClientSession, address: MQTTSNClientAddress, via transport: any MQTTSNTransport) -> Bool
    {
        guard session.address == address else { return false }
        return session.transport === transport
            || !(session.transport is any MQTTSNAuthenticatingTransport
                || transport is any MQTTSNAuthenticatingTransport)
    }

    /// Whether the authentication policy lets a peer at `address` be `clientID`. Serial devices are local wiring
    /// and always are; the policy governs network transports. A node behind a UDP forwarder is held to it like a
    /// direct UDP client, its `allowed_sources` checked against the forwarder's address (the only one the
    /// gateway sees); under `dtls` it is refused, because a forwarder's DTLS identity is not its nodes'.
    func identityRefusal(
        clientID: String,
        from address: MQTTSNClientAddress,
        via transport: any MQTTSNTransport
    ) -> ConnectRefusal? {
        guard let source = address.socketAddress else {
            return nil
        }
        let names = self.authenticatedNames(of: address, via: transport)
        if let names, !names.contains(clientID) {
            return .identityMismatch
        }
        switch self.configuration.effectiveAuthentication {
        case .open:
            break
        case .allowlist:
            guard self.configuration.clients[clientID] != nil else { return .notAllowlisted }
        case .dtls:
            guard names != nil else { return .notAuthenticated }
        }
        if let prefixes = self.admission.allowedSources[clientID], !prefixes.contains(where: { $0.contains(source) }) {
            return .sourceNotAllowed
        }
        return nil
    }

    /// The names a transport authenticated the peer as (DTLS), `nil` for plain transports and unauthenticated peers.
    func authenticatedNames(of address: MQTTSNClientAddress, via transport: any MQTTSNTransport) -> [String]? {
        (transport as? any MQTTSNAuthenticatingTransport)?.authenticatedNames(of: address)
    }

    /// Whether a CONNECT or PINGREQ from `address` may move `session` there (`gateway.session_takeover`).
    ///
    /// A session whose client is asleep, or went silent for longer than its keepalive, may always be continued
    /// elsewhere (NAT rebinding); a live one only with `any`, or with `same-identity` when a transport
    /// authenticated the new peer as the session's client id.
    func mayMove(
        _ session: ClientSession,
        to address: MQTTSNClientAddress,
        via transport: any MQTTSNTransport,
        now: NIODeadline
    ) -> Bool {
        switch self.configuration.security.sessionTakeover {
        case .any:
            return true
        case .sameIdentity:
            if self.authenticatedNames(of: address, via: transport)?.contains(session.clientID) == true {
                return true
            }
        case .never:
            break
        }
        switch session.machine.state {
        case .asleep:
            return true
        case .disconnected:
            return true
        case .active, .awake:
            let keepAlive = TimeAmount.seconds(Int64(session.machine.keepAlive))
            return session.machine.keepAlive > 0 && now - session.machine.lastHeard > keepAlive
        case .awaitingWillTopic, .awaitingWillMessage, .connectingUpstream, .closed:
            return false
        }
    }

    /// PINGREQ(client id) from a new address wakes an asleep session there (specification section 6.14); it never
    /// moves an active one. The new address must be one the client id may connect from.
    func mayWake(
        _ session: ClientSession,
        from address: MQTTSNClientAddress,
        via transport: any MQTTSNTransport
    ) -> Bool {
        guard !self.isSamePeer(session, address: address, via: transport) else {
            return true
        }
        let refusal: ConnectRefusal?
        if case .asleep = session.machine.state {
            refusal = self.identityRefusal(clientID: session.clientID, from: address, via: transport)
        } else {
            refusal = .sessionInUse
        }
        guard let refusal else {
            return true
        }
        self.metrics.rejectedConnection(refusal.rawValue)
        self.logRefusal(
            refusal,
            clientID: session.clientID,
            address: address,
            message: "Wake-up from another address refused"
        )
        return false
    }

    /// New sessions from one UDP source prefix are rate limited and counted (`gateway.source_limits`).
    func sourceLimitRefusal(from address: MQTTSNClientAddress, now: NIODeadline) -> ConnectRefusal? {
        guard let key = self.sourcePrefix(of: address) else {
            return nil
        }
        let limits = self.configuration.security.sourceLimits
        if let maxSessions = limits.maxSessions, self.admission.sessionsBySource[key, default: 0] >= maxSessions {
            return .sourceSessionLimit
        }
        if self.admission.newSessionBuckets.count >= AdmissionState.bucketLimit {
            self.admission.newSessionBuckets.removeAll(keepingCapacity: true)
        }
        var bucket =
            self.admission.newSessionBuckets[key]
            ?? TokenBucket(ratePerSecond: limits.newSessionsPerSecond, burst: limits.burst, now: now)
        let admitted = bucket.take(now: now)
        self.admission.newSessionBuckets[key] = bucket
        return admitted ? nil : .sourceRateLimited
    }

    /// The prefix a UDP client's sessions are counted under: its source address's, or for a node behind a UDP
    /// forwarder the forwarder's, so that forged node ids behind one forwarder share its limits.
    func sourcePrefix(of address: MQTTSNClientAddress) -> SourcePrefixKey? {
        guard let source = address.socketAddress else { return nil }
        let limits = self.configuration.security.sourceLimits
        return SourcePrefixKey(source, prefixLengthV4: limits.prefixLengthV4, prefixLengthV6: limits.prefixLengthV6)
    }

    /// Answers a refused CONNECT; nothing was opened upstream.
    func refuse(
        clientID: String,
        _ refusal: ConnectRefusal,
        address: MQTTSNClientAddress,
        via transport: any MQTTSNTransport,
        now: NIODeadline
    ) {
        self.metrics.rejectedConnection(refusal.rawValue)
        self.logRefusal(refusal, clientID: clientID, address: address, message: "Client refused")
        self.send(.connectAck(MQTTSNConnectAck(returnCode: refusal.returnCode)), to: address, via: transport)
    }

    func logRefusal(_ refusal: ConnectRefusal, clientID: String, address: MQTTSNClientAddress, message: Logger.Message)
    {
        var throttle = self.admission.refusalWarnings[refusal] ?? WarningThrottle()
        let metadata: Logger.Metadata = [
            "client.id": "\(clientID)", "peer.address": "\(address)", "refusal.reason": "\(refusal.rawValue)",
            "refusal.explanation": "\(refusal.explanation)", "connack.return_code": "\(refusal.returnCode)",
            "refusal.suppressed": "\(throttle.suppressed)",
        ]
        if throttle.admit() {
            throttle.resetSuppressed()
            self.logger.notice(message, metadata: metadata)
        } else {
            self.logger.debug(message, metadata: metadata)
        }
        self.admission.refusalWarnings[refusal] = throttle
    }

    /// Records what admission decided for a new session.
    func admitted(_ session: ClientSession, now: NIODeadline) {
        let prefix = self.sourcePrefix(of: session.address)
        if let prefix {
            self.admission.sessionsBySource[prefix, default: 0] += 1
        }
        let budget = self.configuration.security.unconfirmedSendBudget
        let template = self.mountpointTemplate(for: session.clientID)
        session.admission = SessionAdmission(
            sourcePrefix: prefix,
            admittedAt: now,
            isConfirmed: prefix == nil || budget == 0,
            sendBudget: budget,
            topics: self.topicAccess(for: session.clientID),
            mountpoint: template?.replacing("%c", with: session.clientID) ?? ""
        )
        // A message id a spoofer cannot guess, so that acknowledging one proves the client receives our datagrams.
        session.machine.nextMessageID = UInt16.random(in: 1...0xFFFE)
    }

    /// Records admission again for a kept session its client continues (clean session off), maybe from another
    /// address: the session counts for its new source prefix, and its new address must prove it receives the
    /// gateway's datagrams before it gets more than the send budget. The idle timeout does not apply: the session
    /// was held anyway, its subscriptions carry on (so its client may have nothing to say until its keepalive), and
    /// dropping it would forget its state.
    func readmitted(_ session: ClientSession, from address: MQTTSNClientAddress, now: NIODeadline) {
        guard var admission = session.admission else {
            return
        }
        let prefix = self.sourcePrefix(of: address)
        if let prefix {
            self.admission.sessionsBySource[prefix, default: 0] += 1
        }
        let budget = self.configuration.security.unconfirmedSendBudget
        admission.sourcePrefix = prefix
        admission.admittedAt = now
        admission.heardSinceConnect = true
        admission.isConfirmed = prefix == nil || budget == 0
        admission.sendBudget = budget
        session.admission = admission
    }

    /// Admission of a session restored from the session store at start: the ACL and mountpoint of the current
    /// configuration and, as for a new session, the send budget until its client acknowledges one of the gateway's
    /// messages. Its message ids carry on from the stored session. It is not counted under a source prefix (a kept
    /// one is when its client continues it, ``readmitted(_:from:now:)``).
    func restoredAdmission(of session: ClientSession, now: NIODeadline) {
        let budget = self.configuration.security.unconfirmedSendBudget
        var admission = SessionAdmission(
            sourcePrefix: nil,
            admittedAt: now,
            isConfirmed: session.address.socketAddress == nil || budget == 0,
            sendBudget: budget,
            topics: self.topicAccess(for: session.clientID),
            mountpoint: self.mountpointTemplate(for: session.clientID)?.replacing("%c", with: session.clientID) ?? ""
        )
        admission.heardSinceConnect = true
        session.admission = admission
    }

    /// Undoes ``admitted(_:now:)``'s counting when the session ends.
    func released(_ session: ClientSession) {
        guard let prefix = session.admission?.sourcePrefix, let held = self.admission.sessionsBySource[prefix] else {
            return
        }
        if held <= 1 {
            self.admission.sessionsBySource.removeValue(forKey: prefix)
        } else {
            self.admission.sessionsBySource[prefix] = held - 1
        }
    }

    /// Drops `session` if it stayed silent for `idle_session_timeout` after its CONNECT exchange.
    func dropIfIdle(_ session: ClientSession, now: NIODeadline) -> Bool {
        guard let deadline = self.idleDeadline(of: session), now >= deadline else { return false }
        self.sessionLost(session, reason: .idle)
        return true
    }

    /// When `idle_session_timeout` drops the session unless its client sends something first; `nil` once it did.
    func idleDeadline(of session: ClientSession) -> NIODeadline? {
        // Read in place: this runs after every action a session performs (``armTimer(for:)``).
        guard session.admission?.heardSinceConnect == false, session.machine.isEstablished,
            let admittedAt = session.admission?.admittedAt
        else { return nil }
        return admittedAt + self.configuration.security.idleSessionTimeout + .nanoseconds(1)
    }

    // MARK: Topics

    func mountpointTemplate(for clientID: String) -> String? {
        self.configuration.clients[clientID]?.mountpoint ?? self.configuration.security.mountpoint
    }

    /// The compiled ACL of one client: the `acl_file`'s rules for it plus the protected filters.
    func topicAccess(for clientID: String) -> ClientTopicAccess {
        guard let acl = self.configuration.security.accessControl else {
            return self.unrestrictedTopicAccess
        }
        let protected = self.configuration.security.protectedTopicFilters
        let username = self.configuration.clients[clientID]?.username ?? clientID
        return acl.access(clientID: clientID, username: username, protected: protected)
    }

    /// `topic` as the broker sees it: under the session's mountpoint.
    func mounted(_ topic: String, for session: ClientSession) -> String {
        guard let mountpoint = session.admission?.mountpoint, !mountpoint.isEmpty else { return topic }
        return mountpoint + topic
    }

    func mounted(_ message: UpstreamMessage, for session: ClientSession) -> UpstreamMessage {
        var message = message
        message.topic = self.mounted(message.topic, for: session)
        return message
    }

    /// The client's PUBLISH as it goes upstream, or `nil` when the ACL refuses it (then the client has its answer).
    func authorizedUpstream(
        _ message: UpstreamMessage,
        completion: UpstreamPublishCompletion,
        for session: ClientSession
    ) -> UpstreamMessage? {
        let message = self.mounted(message, for: session)
        guard let admission = session.admission, !admission.topics.mayPublish(to: message.topic) else {
            return message
        }
        self.accessDenied(session, topic: message.topic, operation: "publish")
        self.perform(session.machine.upstreamPublishRefused(completion), for: session)
        return nil
    }

    /// The client's SUBSCRIBE filter as it goes upstream, or `nil` when the ACL refuses it (answered SUBACK 0x03).
    func authorizedFilter(_ filter: String, messageID: UInt16, for session: ClientSession) -> String? {
        let filter = self.mounted(filter, for: session)
        guard let admission = session.admission, !admission.topics.maySubscribe(to: filter) else {
            return filter
        }
        self.accessDenied(session, topic: filter, operation: "subscribe")
        self.send(
            .subscribeAck(
                MQTTSNSubscribeAck(
                    qos: .atMostOnce,
                    topicID: 0,
                    messageID: messageID,
                    returnCode: .rejectedNotSupported
                )
            ),
            to: session
        )
        return nil
    }

    /// A broker message as the client gets it (mountpoint removed), or `nil` when the client may not read it.
    func deliverable(_ message: UpstreamMessage, for session: ClientSession) -> UpstreamMessage? {
        // Read in place: a copy of the admission (its compiled ACL, its mountpoint) per delivery is measurable when
        // one broker message goes to a thousand clients.
        guard let mayReceive = session.admission?.topics.mayReceive(from: message.topic) else { return message }
        guard mayReceive else {
            self.accessDenied(session, topic: message.topic, operation: "deliver")
            return nil
        }
        guard let mountpoint = session.admission?.mountpoint, !mountpoint.isEmpty else { return message }
        guard message.topic.hasPrefix(mountpoint), message.topic.count > mountpoint.count else {
            self.accessDenied(session, topic: message.topic, operation: "deliver")
            return nil
        }
        var delivered = message
        delivered.topic = String(message.topic.dropFirst(mountpoint.count))
        return delivered
    }

    func accessDenied(_ session: ClientSession, topic: String, operation: String) {
        self.metrics.dropped(ClientDropReason.accessDenied.rawValue)
        let metadata: Logger.Metadata = [
            "client.id": "\(session.clientID)", "topic.name": "\(topic)", "acl.operation": "\(operation)",
            "acl.suppressed": "\(self.admission.accessWarnings.suppressed)",
        ]
        if self.admission.accessWarnings.admit() {
            self.admission.accessWarnings.resetSuppressed()
            self.logger.notice("Topic access refused", metadata: metadata)
        } else {
            self.logger.debug("Topic access refused", metadata: metadata)
        }
    }

    /// Checks a packet of an existing session before its state machine sees it: REGISTER, the will and will
    /// updates against the ACL, and what the packet says about the client (it is alive, it receives us).
    /// Returns `true` when the packet was answered here.
    func refusedByAdmission(_ packet: MQTTSNPacket, for session: ClientSession, now: NIODeadline) -> Bool {
        guard var admission = session.admission else { return false }
        if session.machine.isEstablished {
            admission.heardSinceConnect = true
        }
        switch packet {
        case .publishAck(let ack): self.confirm(&admission, messageID: ack.messageID, of: session)
        case .registerAck(let ack): self.confirm(&admission, messageID: ack.messageID, of: session)
        case .publishReceived(let received): self.confirm(&admission, messageID: received.messageID, of: session)
        case .publishComplete(let complete): self.confirm(&admission, messageID: complete.messageID, of: session)
        default: break
        }
        session.admission = admission
        switch packet {
        case .register(let register) where session.machine.isEstablished:
            let topic = self.mounted(register.topicName, for: session)
            guard !admission.topics.mayPublish(to: topic) else { return false }
            self.accessDenied(session, topic: topic, operation: "register")
            self.send(
                .registerAck(
                    MQTTSNRegisterAck(topicID: 0, messageID: register.messageID, returnCode: .rejectedNotSupported)
                ),
                to: session
            )
            return true
        case .willTopic(let willTopic) where session.machine.state == .awaitingWillTopic:
            guard let will = willTopic.will else { return false }
            let topic = self.mounted(will.topicName, for: session)
            guard !admission.topics.mayPublish(to: topic) else { return false }
            self.accessDenied(session, topic: topic, operation: "will")
            self.refuse(
                clientID: session.clientID,
                .willNotAllowed,
                address: session.address,
                via: session.transport,
                now: now
            )
            self.removeSession(session)
            return true
        case .willTopicUpdate(let update) where session.machine.isEstablished:
            guard let will = update.will else { return false }
            let topic = self.mounted(will.topicName, for: session)
            guard !admission.topics.mayPublish(to: topic) else { return false }
            self.accessDenied(session, topic: topic, operation: "will")
            self.send(.willTopicResponse(MQTTSNWillTopicResponse(returnCode: .rejectedNotSupported)), to: session)
            return true
        default:
            return false
        }
    }

    // MARK: Reflection

    private func confirm(_ admission: inout SessionAdmission, messageID: UInt16, of session: ClientSession) {
        if !admission.isConfirmed, session.machine.inFlight?.messageID == messageID {
            admission.isConfirmed = true
        }
    }

    /// Each datagram from an unconfirmed client lets the gateway send twice as much back, up to the budget.
    func refillSendBudget(of address: MQTTSNClientAddress, receivedOctets: Int) {
        guard let session = self.session(for: address), session.admission?.isConfirmed == false,
            let budget = session.admission?.sendBudget
        else { return }
        session.admission?.sendBudget = min(
            self.configuration.security.unconfirmedSendBudget,
            budget + 2 * receivedOctets
        )
    }

    /// Whether `packet` may go to the session's address: always once the client confirmed it, else within the
    /// budget. What the budget holds back is dropped and counted, so a spoofed CONNECT + SUBSCRIBE reflects at most
    /// `gateway.unconfirmed_send_budget` octets toward its victim.
    func spendSendBudget(on packet: MQTTSNPacket, for session: ClientSession) -> Bool {
        guard session.admission?.isConfirmed == false, var admission = session.admission else { return true }
        var buffer = ByteBufferAllocator().buffer(capacity: 16)
        guard (try? packet.encode(into: &buffer)) != nil else { return true }
        guard buffer.readableBytes <= admission.sendBudget else {
            self.metrics.dropped(ClientDropReason.unconfirmedBudget.rawValue)
            let metadata: Logger.Metadata = [
                "client.id": "\(session.clientID)", "peer.address": "\(session.address)",
                "budget.suppressed": "\(self.admission.budgetWarnings.suppressed)",
            ]
            if self.admission.budgetWarnings.admit() {
                self.admission.budgetWarnings.resetSuppressed()
                self.logger.notice("Message to an unconfirmed client address held back", metadata: metadata)
            } else {
                self.logger.debug("Message to an unconfirmed client address held back", metadata: metadata)
            }
            return false
        }
        admission.sendBudget -= buffer.readableBytes
        session.admission = admission
        return true
    }

    // MARK: Start

    /// Says at start what the policy does and does not protect.
    func logSecurityPosture() {
        let loopbackOnly = self.configuration.udpListeners.allSatisfy { listener in
            guard let host = HostAndPort(listener, defaultPort: 1884)?.host else { return false }
            return host.hasPrefix("127.") || host == "::1" || host == "localhost"
        }
        switch (self.configuration.security.authentication, self.configuration.effectiveAuthentication) {
        case (nil, .open) where !loopbackOnly:
            // The default nobody chose, on a port other hosts can reach: say what it means.
            self.logger.warning(
                "gateway.authentication is open: any host that reaches the UDP port may connect as any client id",
                metadata: ["gateway.authentication": "open"]
            )
        case (.open?, _), (nil, .open):
            self.logger.notice(
                "gateway.authentication is open: any host that reaches the UDP port may connect as any client id",
                metadata: ["gateway.authentication": "open"]
            )
        default:
            break
        }
        for (clientID, client) in self.configuration.clients
        where client.username != nil && client.allowedSources.isEmpty
            && self.configuration.effectiveAuthentication != .dtls
        {
            self.logger.warning(
                "Client has its own broker credentials but no allowed_sources: whoever claims its id gets them",
                metadata: ["client.id": "\(clientID)"]
            )
        }
    }
}
