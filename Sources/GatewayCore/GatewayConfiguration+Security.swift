import NIOCore

extension GatewayConfiguration {
    /// Who may speak for which client id, what it may publish and subscribe to, and how much an unknown source may
    /// cost the gateway.
    ///
    /// MQTT-SN 1.2 has no authentication: over plain UDP a client id is a claim and a source address can be forged.
    /// These settings decide which claims are believed (``authentication``), whether a live session can be moved
    /// to another address (``sessionTakeover``), which topics a client may use (``accessControl``), and bound what
    /// a flood of forged CONNECTs can hold or make the gateway send.
    public struct Security: Sendable {
        /// Which CONNECTs are believed (`gateway.authentication`).
        public enum Authentication: String, Sendable, Hashable, CaseIterable {
            /// Any client id from any source (the behaviour of MQTT-SN gateways without authentication).
            case open
            /// Only client ids listed under `gateway.clients`, each from its `allowed_sources` when it has some.
            case allowlist
            /// Only peers authenticated by a DTLS transport, each under its own identity.
            case dtls
        }

        /// When a CONNECT or PINGREQ for a client id with a live session may move that session to its own address
        /// (`gateway.session_takeover`).
        ///
        /// Whatever the setting, a session whose client went silent for longer than its keepalive, or that is
        /// asleep, may be continued from a new address (NAT rebinding, a board that rebooted onto a new port), and
        /// a CONNECT from the session's own address is always a reconnect.
        public enum SessionTakeover: String, Sendable, Hashable, CaseIterable {
            /// Only a peer a transport authenticated as the session's client id may take it over (DTLS); over plain
            /// UDP nobody is authenticated, so this is ``never``.
            case sameIdentity = "same-identity"
            /// A connected session is never moved to another address.
            case never
            /// Any CONNECT for the client id takes the session (the behaviour before 0.5; hijackable).
            case any
        }

        /// Limits per source prefix, for sessions created from UDP sources (`gateway.source_limits.*`).
        public struct SourceLimits: Sendable, Hashable {
            /// Sources are grouped by this many leading bits of an IPv4 address (`prefix_length_v4`). Defaults to 32.
            public var prefixLengthV4: Int
            /// Sources are grouped by this many leading bits of an IPv6 address (`prefix_length_v6`). Defaults to 64.
            public var prefixLengthV6: Int
            /// New sessions per second one prefix may open (`new_sessions_per_second`). Defaults to 20.
            public var newSessionsPerSecond: Double
            /// New sessions one prefix may open at once after a quiet period (`burst`): e.g. a fleet behind one NAT
            /// reconnecting after a gateway restart. Defaults to 1,000.
            public var burst: Int
            /// Sessions one prefix may hold at once (`max_sessions`), `nil` for ``GatewayConfiguration/maxClients``.
            public var maxSessions: Int?

            public init(
                prefixLengthV4: Int = 32,
                prefixLengthV6: Int = 64,
                newSessionsPerSecond: Double = 20,
                burst: Int = 1_000,
                maxSessions: Int? = nil
            ) {
                self.prefixLengthV4 = prefixLengthV4
                self.prefixLengthV6 = prefixLengthV6
                self.newSessionsPerSecond = newSessionsPerSecond
                self.burst = burst
                self.maxSessions = maxSessions
            }
        }

        /// `gateway.authentication`; `nil` chooses ``Authentication/open`` when no client is configured under
        /// `gateway.clients` (with a warning at start) and ``Authentication/allowlist`` otherwise.
        public var authentication: Authentication?

        /// `gateway.session_takeover`. Defaults to ``SessionTakeover/sameIdentity``.
        public var sessionTakeover: SessionTakeover

        /// Topic ACLs from `gateway.acl_file` (mosquitto syntax), `nil` for none: every topic is allowed except
        /// those of ``protectedTopicFilters``.
        public var accessControl: TopicAccessControl?

        /// Filters no client may publish to, whatever the ACL says: the bridge's status prefix (`snbridge/#` by
        /// default, from `status.topic_prefix`) and `$SYS/#`.
        public var protectedTopicFilters: [String]

        /// A topic prefix for every client's topics, `%c` standing for the client id (`gateway.mountpoint`, e.g.
        /// `devices/%c/`). A client's PUBLISH to `temp` reaches the broker as `devices/<id>/temp`, its SUBSCRIBE
        /// to `cmd/#` subscribes to `devices/<id>/cmd/#`, and what arrives is delivered without the prefix.
        public var mountpoint: String?

        /// A session whose client CONNECTed and sent nothing after its CONNACK is dropped after this long
        /// (`gateway.idle_session_timeout`). Defaults to 30 seconds.
        public var idleSessionTimeout: TimeAmount

        /// The longest keepalive the gateway honours, in seconds (`gateway.max_keepalive`): a CONNECT asking for
        /// more, or for 0 (no supervision), is supervised with this one. Defaults to 3600 (1 hour).
        public var maxKeepAlive: UInt16

        /// `gateway.source_limits.*`.
        public var sourceLimits: SourceLimits

        /// How many octets the gateway sends toward a UDP client that has not yet shown it receives them
        /// (`gateway.unconfirmed_send_budget`); each datagram from the client adds twice its size, up to this
        /// amount again. A client confirms its address by acknowledging a message the gateway sent it (REGACK,
        /// PUBACK, PUBREC or PUBCOMP for the gateway's random message id). Bounds what a spoofed CONNECT plus
        /// SUBSCRIBE can reflect toward a victim. 0 turns the budget off. Defaults to 16,384.
        public var unconfirmedSendBudget: Int

        public init(
            authentication: Authentication? = nil,
            sessionTakeover: SessionTakeover = .sameIdentity,
            accessControl: TopicAccessControl? = nil,
            protectedTopicFilters: [String] = ["snbridge/#", "$SYS/#"],
            mountpoint: String? = nil,
            idleSessionTimeout: TimeAmount = .seconds(30),
            maxKeepAlive: UInt16 = 3600,
            sourceLimits: SourceLimits = SourceLimits(),
            unconfirmedSendBudget: Int = 16_384
        ) {
            self.authentication = authentication
            self.sessionTakeover = sessionTakeover
            self.accessControl = accessControl
            self.protectedTopicFilters = protectedTopicFilters
            self.mountpoint = mountpoint
            self.idleSessionTimeout = idleSessionTimeout
            self.maxKeepAlive = maxKeepAlive
            self.sourceLimits = sourceLimits
            self.unconfirmedSendBudget = unconfirmedSendBudget
        }
    }

    /// The authentication policy in force: ``Security/authentication``, or the default it leaves to the client list.
    public var effectiveAuthentication: Security.Authentication {
        self.security.authentication ?? (self.clients.isEmpty ? .open : .allowlist)
    }
}
