import Logging
import MQTTSN
import MQTTSNTransport
import NIOCore
import SessionStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The MQTT-SN gateway in transparent mode: every MQTT-SN client gets its own MQTT session with the broker.
///
/// ```swift
/// let gateway = Gateway(configuration: configuration, eventLoopGroup: group, logger: logger)
/// try await gateway.start()          // UDP listeners from configuration.udpListeners
/// gateway.register(transport: serial) // other transports deliver through gateway.receive(_:from:via:)
/// ...
/// await gateway.shutdown()
/// ```
///
/// All session logic runs on one event loop of the group; upstream connections use the whole group. No thread or
/// task per client.
///
/// ## Behaviour where the specification leaves room
///
/// - **CONNACK** goes out only once the broker accepted the client's own MQTT session. Broker refusals map to
///   MQTT-SN return codes as documented on ``UpstreamConnectError`` (transient: 0x01 congestion; permanent, such as
///   bad credentials: 0x03 not supported). More than ``GatewayConfiguration/maxClients`` sessions: 0x01.
/// - **Messages from a client without a session** (REGISTER, PUBLISH at QoS 0...2, SUBSCRIBE, PINGREQ, ...) are
///   answered with DISCONNECT: a client must connect first (sections 6.2 and 6.14), and DISCONNECT tells a client
///   whose session was lost (gateway restart, keepalive expiry) to do so. A PUBLISH with an unknown topic id from
///   a connected client gets PUBACK 0x02 "rejected: invalid topic ID" (return codes, section 5.3.10), at every QoS.
/// - **Topic ids** beyond ``GatewayConfiguration/maxTopicsPerClient``: REGACK or SUBACK 0x01 (congestion), because
///   the client can free ids. A broker message whose topic cannot get an id is dropped and counted.
/// - **Acknowledgements are end to end**: PUBACK (QoS 1) and PUBREC (QoS 2) only after the broker acknowledged.
///   A QoS 2 message id is published once however often the client repeats it.
/// - **Sleeping clients** (section 6.14): DISCONNECT with a duration keeps the MQTT session; broker messages are
///   buffered (``GatewayConfiguration/sleepBufferSize``, oldest dropped and counted) and delivered after
///   PINGREQ(client id), then PINGRESP. A CONNECT from a sleeping client makes it active again, keeping its
///   session whatever its clean session flag says (unless it asks for a will exchange).
/// - **Addresses**: sessions are keyed by client id; CONNECT and PINGREQ(client id) from a new address move the
///   session there (NAT rebinding).
/// - **Will updates** (WILLTOPICUPD / WILLMSGUPD): MQTT cannot change the will of a live connection, so the
///   upstream session is closed gracefully and reopened with the new will, its subscriptions restored; the
///   response is sent once that is done.
/// - **Forwarder encapsulation** is unwrapped for serial and UDP transports: each wireless node becomes its own
///   client address (`.udpForwarded(forwarder, wirelessNodeID:)` over UDP), and answers go back encapsulated.
///   ``GatewayConfiguration/Forwarders`` limits which UDP sources may forward.
public final class Gateway: MQTTSNInboundHandler, Sendable {
    let engine: GatewayEngine
    private let eventLoopGroup: any EventLoopGroup
    private let udpTransports: UDPTransports

    /// The event loop all session logic runs on. Transports that can choose should read on it.
    public var eventLoop: any EventLoop { self.engine.eventLoop }

    /// A gateway whose upstream sessions come from `upstreamFactory` (tests pass a fake; `snbridge` uses the
    /// ``init(configuration:eventLoopGroup:persistence:logger:)`` convenience, which uses ``MQTTClientUpstreamFactory``).
    ///
    /// With a durable `persistence` (the session store), every session that outlives its connection is saved when
    /// it changes and restored by ``start()``; without one (or with `state.directory: none`) sessions live in memory.
    public init(
        configuration: GatewayConfiguration,
        eventLoopGroup: any EventLoopGroup,
        upstreamFactory: any UpstreamSessionFactory,
        persistence: (any SessionPersistence)? = nil,
        logger: Logger
    ) {
        self.eventLoopGroup = eventLoopGroup
        self.engine = GatewayEngine(
            configuration: configuration,
            eventLoop: eventLoopGroup.next(),
            upstreamFactory: upstreamFactory,
            persistence: persistence,
            logger: logger
        )
        self.udpTransports = UDPTransports(eventLoop: self.engine.eventLoop)
    }

    /// Starts the UDP listeners of ``GatewayConfiguration/udpListeners``, joins the groups of
    /// ``GatewayConfiguration/multicast``, starts the timers and, when QoS -1 is enabled,
    /// the gateway's own upstream session. Returns the bound addresses (useful with port 0).
    @discardableResult
    public func start() async throws -> [SocketAddress] {
        let engine = self.engine
        var bound: [UDPTransport] = []
        var memberships: [MulticastMembership] = []
        do {
            for (index, listener) in engine.configuration.udpListeners.enumerated() {
                guard let hostAndPort = HostAndPort(listener, defaultPort: UDPTransport.defaultPort) else {
                    throw GatewayConfigurationError(
                        field: "udp.listeners[\(index)]",
                        problem: "must be host:port, not '\(listener)'"
                    )
                }
                let transport: UDPTransport
                do {
                    transport = try await UDPTransport.bind(
                        configuration: .init(
                            host: hostAndPort.host,
                            port: hostAndPort.port,
                            maximumDatagramSize: max(engine.configuration.maxMessageSize, 256) + 1
                        ),
                        on: engine.eventLoop,
                        handler: self,
                        logger: engine.logger
                    ).get()
                } catch let error as IOError where error.errnoCode == EAFNOSUPPORT && hostAndPort.host.contains(":") {
                    // A kernel without IPv6 should not stop an IPv4 gateway from serving.
                    engine.logger.warning(
                        "IPv6 unavailable; UDP listener skipped",
                        metadata: ["listener.address": "\(listener)"]
                    )
                    continue
                } catch {
                    throw GatewayConfigurationError(
                        field: "udp.listeners[\(index)]",
                        problem: "cannot bind \(listener): \(error)"
                    )
                }
                bound.append(transport)
            }
            memberships = try await self.joinMulticastGroups()
        } catch {
            for transport in bound {
                try? await transport.close().get()
            }
            throw error
        }
        let listeners = bound
        let groups = memberships
        try await engine.eventLoop.submit {
            self.udpTransports.value.append(contentsOf: listeners)
            engine.transports.append(contentsOf: listeners as [any MQTTSNTransport])
            engine.multicastMemberships = groups
            engine.transports.append(contentsOf: groups.map(\.transport) as [any MQTTSNTransport])
            // Before any datagram is handled (the listeners read on this loop): sessions restored from the store.
            engine.restoreStoredSessions(now: engine.eventLoop.now)
            engine.startTimers()
            engine.logSecurityPosture()
            if engine.configuration.qosMinusOne.enabled {
                _ = engine.startGatewayUpstream()
            }
        }.get()
        let groupNames = groups.map { membership in
            "\(membership.transport.group)%\(membership.transport.interfaceName)"
        }
        let dtlsAddresses = try await self.startDTLSListeners()
        engine.logger.info(
            "MQTT-SN gateway started",
            metadata: [
                "gateway.id": "\(engine.configuration.gatewayID)",
                "listener.addresses": "\(listeners.map(\.localAddress))",
                "multicast.groups": "\(groupNames)",
                "dtls.addresses": "\(dtlsAddresses)",
            ]
        )
        return listeners.map(\.localAddress)
    }

    /// The addresses of the UDP listeners started by ``start()``.
    public var boundAddresses: [SocketAddress] {
        get async {
            (try? await self.engine.eventLoop.submit { self.udpTransports.value.map(\.localAddress) }.get()) ?? []
        }
    }

    /// Adds a transport the gateway may send through (e.g. a serial line). It delivers inbound bytes with
    /// ``receive(_:from:via:)``.
    public func register(transport: any MQTTSNTransport) {
        let engine = self.engine
        engine.eventLoop.execute {
            if !engine.transports.contains(where: { $0 === transport }) {
                engine.transports.append(transport)
            }
        }
    }

    /// Delivers one inbound MQTT-SN message (raw bytes) from `address`. Callable from any thread.
    public func receive(_ bytes: ByteBuffer, from address: MQTTSNClientAddress, via transport: any MQTTSNTransport) {
        let engine = self.engine
        if engine.eventLoop.inEventLoop {
            engine.receive(bytes, from: address, via: transport)
        } else {
            engine.eventLoop.execute {
                engine.receive(bytes, from: address, via: transport)
                engine.flushPendingWrites()
            }
        }
    }

    /// Flushes replies after a burst of ``receive(_:from:via:)`` calls.
    public func receiveBurstComplete(via transport: any MQTTSNTransport) {
        let engine = self.engine
        if engine.eventLoop.inEventLoop {
            engine.receiveBurstComplete(via: transport)
        } else {
            engine.eventLoop.execute { engine.receiveBurstComplete(via: transport) }
        }
    }

    /// The sessions now, sorted by client id, followed by recently lost ones.
    public func sessions() async -> [GatewaySessionSnapshot] {
        let engine = self.engine
        return (try? await engine.eventLoop.submit { engine.snapshot() }.get()) ?? []
    }

    /// The sessions of serial devices (``MQTTSNClientAddress/serial(device:wirelessNodeID:)``), in client id order,
    /// without taking a snapshot of any other.
    public func serialSessions() async -> [GatewaySessionSnapshot] {
        let engine = self.engine
        return (try? await engine.eventLoop.submit { engine.snapshot { $0.isSerial } }.get()) ?? []
    }

    /// The gateway's counters now.
    public func statistics() async -> GatewayStatistics {
        let engine = self.engine
        return (try? await engine.eventLoop.submit { engine.metrics.statistics }.get()) ?? GatewayStatistics()
    }

    /// Stops gracefully: new CONNECTs are refused, unfinished QoS 1/2 exchanges get up to
    /// ``GatewayConfiguration/shutdownGracePeriod`` to complete (those still open are logged with their count),
    /// then every client gets DISCONNECT, every upstream session closes with DISCONNECT (no will) and the
    /// listeners close.
    public func shutdown() async {
        let engine = self.engine
        let deadline = engine.eventLoop.now + engine.configuration.shutdownGracePeriod
        _ = try? await engine.eventLoop.submit { engine.isShuttingDown = true }.get()
        while true {
            let unfinished = (try? await engine.eventLoop.submit { engine.unfinishedExchanges }.get()) ?? 0
            if unfinished == 0 {
                break
            }
            if engine.eventLoop.now >= deadline {
                engine.logger.warning(
                    "Shutdown with unfinished QoS 1/2 exchanges",
                    metadata: ["sessions.unfinished": "\(unfinished)"]
                )
                break
            }
            // Wait on the loop's own timer, not the thread: the loop keeps handling acknowledgements meanwhile.
            _ = try? await engine.eventLoop.scheduleTask(in: .milliseconds(20)) {}.futureResult.get()
        }
        let closed = try? await engine.eventLoop.submit { () -> EventLoopFuture<Void> in
            engine.stopTimers()
            engine.sessionEvents.finish()
            return engine.closeAllSessions()
        }.get()
        _ = try? await closed?.get()
        let listeners =
            (try? await engine.eventLoop.submit { () -> [UDPTransport] in
                let listeners = self.udpTransports.value
                self.udpTransports.value.removeAll()
                engine.transports.removeAll { transport in listeners.contains { $0 === transport } }
                return listeners
            }.get()) ?? []
        for listener in listeners {
            try? await listener.close().get()
        }
        let groups =
            (try? await engine.eventLoop.submit { () -> [UDPMulticastTransport] in
                let groups = engine.multicastMemberships.map(\.transport)
                engine.multicastMemberships.removeAll()
                engine.transports.removeAll { transport in groups.contains { $0 === transport } }
                return groups
            }.get()) ?? []
        for group in groups {
            try? await group.close().get()
        }
        await self.closeDTLSListeners()
        await engine.upstreamFactory.shutdown()
        engine.logger.info("MQTT-SN gateway stopped")
    }
}
