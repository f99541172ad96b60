import Logging
import MQTTSN
import MQTTSNTransport
import NIOCore

extension GatewayEngine {
    /// The resolution of the session deadlines (keepalive, sleep, retransmission): a quarter of the retry interval,
    /// between 50 ms and 500 ms. One timer for all sessions instead of timers per session: each tick visits only
    /// the sessions whose deadline came (``timerWheel``).
    static func tickInterval(for configuration: GatewayConfiguration) -> TimeAmount {
        let quarter = configuration.retryInterval.nanoseconds / 4
        return .nanoseconds(min(max(quarter, 50_000_000), 500_000_000))
    }

    var tickInterval: TimeAmount { self.timerWheel.resolution }

    func startTimers() {
        self.tickTask = self.eventLoop.scheduleRepeatedTask(initialDelay: self.tickInterval, delay: self.tickInterval) {
            [self] _ in
            self.tick(now: self.eventLoop.now)
        }
        if let advertise = self.configuration.advertise {
            let destinations = advertise.addresses.compactMap { text -> SocketAddress? in
                guard let hostAndPort = HostAndPort(text, defaultPort: 1884) else { return nil }
                return try? SocketAddress(ipAddress: hostAndPort.host, port: hostAndPort.port)
            }
            let duration = UInt16(clamping: advertise.interval.nanoseconds / 1_000_000_000)
            self.advertiseTask = self.eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: advertise.interval) {
                [self] _ in
                self.advertise(to: destinations, duration: duration)
            }
        }
    }

    func stopTimers() {
        self.tickTask?.cancel()
        self.tickTask = nil
        self.advertiseTask?.cancel()
        self.advertiseTask = nil
    }

    /// Visits the sessions whose deadline came: O(sessions due), not O(sessions).
    func tick(now: NIODeadline) {
        for entry in self.timerWheel.due(upTo: now) {
            // A stale entry: the session is gone, or it was armed again for another tick.
            guard let session = self.sessions[entry.key], session.timerTick == entry.tick else { continue }
            session.timerTick = nil
            if self.dropIfIdle(session, now: now) {
                continue
            }
            let action = session.machine.tick(now: now)
            if case .none = action {
                // Visited early (the client was heard since it was armed): armed again for its new deadline.
                self.armTimer(for: session)
                continue
            }
            self.perform(action, for: session)
            self.deliverPending(to: session, now: now)
        }
        self.flushPendingWrites()
    }

    /// Arms the session's visit by the timer wheel at its earliest deadline: the state machine's
    /// (``ClientSessionStateMachine/nextDeadline``) or admission's `idle_session_timeout`. Called after every action
    /// the session performs; a deadline later than the armed visit leaves the visit where it is.
    func armTimer(for session: ClientSession) {
        var deadline = session.machine.nextDeadline
        if let idle = self.idleDeadline(of: session) {
            deadline = deadline.map { min($0, idle) } ?? idle
        }
        guard let deadline else { return }
        session.timerTick = self.timerWheel.arm(session.clientID, at: deadline, current: session.timerTick)
    }

    private func advertise(to destinations: [SocketAddress], duration: UInt16) {
        let packet = MQTTSNPacket.advertise(
            MQTTSNAdvertise(gatewayID: self.configuration.gatewayID, duration: duration)
        )
        for destination in destinations {
            let address = MQTTSNClientAddress.udp(destination)
            guard let transport = self.advertiseTransport(for: destination) else {
                continue
            }
            self.send(packet, to: address, via: transport)
        }
        self.flushPendingWrites()
    }

    /// How many QoS 1/2 exchanges are unfinished, over all sessions.
    var unfinishedExchanges: Int {
        self.sessions.values.reduce(0) { count, session in
            count + (session.machine.hasUnfinishedExchanges ? 1 : 0)
        }
    }

    /// The graceful end: every client gets DISCONNECT, every upstream session a DISCONNECT. Returns when the
    /// upstream sessions are closed.
    func closeAllSessions() -> EventLoopFuture<Void> {
        var closed: [EventLoopFuture<Void>] = []
        for session in self.sessions.values {
            self.send(.disconnect(MQTTSNDisconnect()), to: session)
            if let upstream = session.upstream {
                closed.append(upstream.disconnect().recover { _ in })
            }
        }
        self.sessions.removeAll()
        self.clientIDsByAddress.removeAll()
        self.metrics.clientsConnected(0)
        self.flushPendingWrites()
        if let gatewayUpstream = self.gatewayUpstream {
            closed.append(gatewayUpstream.disconnect().recover { _ in })
            self.gatewayUpstream = nil
            self.gatewayUpstreamConnected = nil
        }
        return EventLoopFuture.andAllComplete(closed, on: self.eventLoop)
    }

    /// A page of ``snapshot()``, taking snapshots of the sessions on it only.
    func snapshot(offset: Int, limit: Int) -> GatewaySessionPage {
        // Rebuilt after the table changed; the count check also catches an insertion that did not say so.
        if self.sessionOrder == nil || self.sessionOrder?.count != self.sessions.count {
            self.sessionOrder = self.sessions.keys.sorted()
        }
        let live = self.sessionOrder ?? []
        let total = live.count + self.recentlyLost.count
        let start = min(max(0, offset), total)
        let end = start + min(max(0, limit), total - start)
        var page: [GatewaySessionSnapshot] = []
        page.reserveCapacity(end - start)
        for index in start..<end {
            if index < live.count {
                if let session = self.sessions[live[index]] { page.append(session.snapshot()) }
            } else {
                page.append(
                    self.recentlyLost[
                        self.recentlyLost.index(self.recentlyLost.startIndex, offsetBy: index - live.count)
                    ]
                )
            }
        }
        return GatewaySessionPage(total: total, sessions: page)
    }

    func snapshot() -> [GatewaySessionSnapshot] {
        self.snapshot { _ in true }
    }

    /// The snapshots of the sessions, and recently lost ones, at addresses `include` accepts, in client id order
    /// (the recently lost after them).
    func snapshot(where include: (MQTTSNClientAddress) -> Bool) -> [GatewaySessionSnapshot] {
        var snapshots: [GatewaySessionSnapshot] = []
        for session in self.sessions.values where include(session.address) {
            snapshots.append(session.snapshot())
        }
        snapshots.sort { $0.clientID < $1.clientID }
        snapshots.append(contentsOf: self.recentlyLost.filter { include($0.address) })
        return snapshots
    }
}
