import Foundation
import Logging
import MQTTSN
import MQTTSNTransport
import NIOCore
import SessionStore

extension GatewayEngine {
    // MARK: Saving

    /// Notes that `session` may have changed; sessions that outlive their connection (or were stored until now)
    /// are saved at the end of the event loop's turn. Costs nothing without a durable store.
    func sessionMayHaveChanged(_ session: ClientSession) {
        guard self.stored.store != nil else { return }
        guard session.machine.outlivesConnection || self.stored.saved[session.clientID] != nil else { return }
        self.storedSessionChanged(session.clientID)
    }

    /// Notes that the session of `clientID` may have changed or ended, and schedules the save.
    func storedSessionChanged(_ clientID: String) {
        guard self.stored.store != nil else { return }
        self.stored.changed.insert(clientID)
        guard !self.stored.isSaveScheduled else { return }
        self.stored.isSaveScheduled = true
        // At the end of the turn: a burst of events for one session is one write, and nothing blocks here, since
        // the store writes behind the loop.
        self.eventLoop.execute { [self] in
            self.stored.isSaveScheduled = false
            let changed = self.stored.changed
            self.stored.changed.removeAll(keepingCapacity: true)
            for clientID in changed {
                self.save(clientID: clientID)
            }
        }
    }

    /// Hands the session of `clientID` to the store if its record changed, or removes it from the store when it no
    /// longer outlives its connection or ended. Returns the ticket of the session's last write (`nil` when it is not
    /// stored, or there is no durable store).
    @discardableResult
    func save(clientID: String) -> SessionStoreTicket? {
        guard let store = self.stored.store else { return nil }
        let session = self.sessions[clientID] ?? self.keptSessions[clientID]
        guard let session, session.machine.outlivesConnection, let record = session.machine.record else {
            // Ended, or clean session on and awake again: the store forgets it too.
            if session == nil { self.stored.incarnations.removeValue(forKey: clientID) }
            guard self.stored.saved.removeValue(forKey: clientID) != nil else { return nil }
            self.stored.tickets.removeValue(forKey: clientID)
            do {
                try store.removeSession(clientID: clientID)
            } catch {
                self.storeWriteRefused(error, clientID: clientID)
            }
            return nil
        }
        if self.stored.saved[clientID] == record, let ticket = self.stored.tickets[clientID] {
            return ticket
        }
        let incarnation = self.stored.incarnations[clientID] ?? self.newIncarnation(for: clientID, store: store)
        let ticket: SessionStoreTicket
        do {
            let state = try JSONEncoder().encode(record)
            ticket = try store.save(
                SessionRecord(
                    clientID: clientID,
                    formatVersion: StoredSessions.formatVersion,
                    state: state,
                    lastAddress: session.address.storedForm(
                        authenticated: session.transport is any MQTTSNAuthenticatingTransport
                    ),
                    incarnation: incarnation
                )
            )
        } catch {
            self.storeWriteRefused(error, clientID: clientID)
            return nil
        }
        self.stored.saved[clientID] = record
        self.stored.tickets[clientID] = ticket
        if self.isCurrent(session), let upstream = session.upstream {
            self.acknowledgeBufferedOnceDurable(
                session.machine.takeAcknowledgementsOfBuffered(),
                ticket: ticket,
                via: upstream,
                for: session
            )
        }
        return ticket
    }

    /// A sleeping client's buffered broker messages are acknowledged upstream once the record holding them is
    /// durable: the store keeps them from then on.
    private func acknowledgeBufferedOnceDurable(
        _ acknowledgements: [UpstreamAcknowledgement],
        ticket: SessionStoreTicket,
        via upstream: any UpstreamSession,
        for session: ClientSession
    ) {
        guard !acknowledgements.isEmpty, let store = self.stored.store else { return }
        store.whenDurable(ticket, on: self.eventLoop).whenComplete { [self] result in
            switch result {
            case .success:
                guard self.isCurrent(session), session.upstream === upstream else { return }
                for acknowledgement in acknowledgements {
                    upstream.acknowledge(acknowledgement)
                }
                self.markForFlush(upstream)
                self.flushPendingWrites()
                self.logger.debug(
                    "Buffered messages acknowledged upstream once stored",
                    metadata: ["client.id": "\(session.clientID)", "messages.count": "\(acknowledgements.count)"]
                )
            case .failure(let error):
                // Not acknowledged: the broker keeps them (clean session off) and the window stays closed for them.
                self.metrics.dropped("store_write_failed")
                self.logger.warning(
                    "Buffered messages not stored; left unacknowledged upstream",
                    metadata: [
                        "client.id": "\(session.clientID)", "messages.count": "\(acknowledgements.count)",
                        "error.description": "\(error)",
                    ]
                )
            }
        }
    }

    /// Sends `packet` (a PUBREC) once the session's stored form holding its message id is durable; at once for a
    /// session that is not stored. When the write fails the answer is withheld: the client repeats its PUBLISH
    /// (DUP), which is answered the same way, once the store works again.
    func sendOnceStored(_ packet: MQTTSNPacket, to session: ClientSession) {
        guard let store = self.stored.store, self.isCurrent(session), let ticket = self.save(clientID: session.clientID)
        else {
            self.send(packet, to: session)
            return
        }
        store.whenDurable(ticket, on: self.eventLoop).whenComplete { [self] result in
            guard self.isCurrent(session) else { return }
            switch result {
            case .success:
                self.send(packet, to: session)
                self.flushPendingWrites()
            case .failure(let error):
                self.metrics.dropped("store_write_failed")
                self.logger.warning(
                    "Acknowledgement withheld: the session could not be stored",
                    metadata: [
                        "client.id": "\(session.clientID)", "message.type": "\(packet.messageType)",
                        "error.description": "\(error)",
                    ]
                )
            }
        }
    }

    private func storeWriteRefused(_ error: any Error, clientID: String) {
        self.metrics.dropped("store_write_refused")
        self.logger.error(
            "Session could not be stored",
            metadata: ["client.id": "\(clientID)", "error.description": "\(error)"]
        )
    }

    // MARK: Topic ids

    /// The first assigned topic id of a new session of `clientID`: from its store incarnation with a durable
    /// store, from the wall-clock-seeded counter without (the rule is ``TopicIDBlocks``).
    func takeFirstTopicID(for clientID: String) -> UInt16 {
        guard let store = self.stored.store else {
            return self.topicIDBlocks.take()
        }
        return self.topicIDBlocks.firstID(incarnation: self.newIncarnation(for: clientID, store: store))
    }

    private func newIncarnation(for clientID: String, store: any SessionPersistence) -> UInt64 {
        let incarnation = store.allocateIncarnation()
        self.stored.incarnations[clientID] = incarnation
        return incarnation
    }

    // MARK: Restoring

    /// Restores every session the store found at start: active and sleeping ones into ``sessions`` (their upstream
    /// sessions reconnect and get their subscriptions back), clean-session-off ones waiting for their client into
    /// ``keptSessions``. A record that cannot be read is reported, counted and removed, never fatal.
    func restoreStoredSessions(now: NIODeadline) {
        guard let store = self.stored.store else { return }
        let started = self.eventLoop.now
        let records = store.takeRestoredSessions()
        let decoder = JSONDecoder()
        var restored = 0
        var discarded = 0
        for stored in records {
            guard self.sessions[stored.clientID] == nil, self.keptSessions[stored.clientID] == nil else { continue }
            let record: ClientSessionRecord
            do {
                guard stored.formatVersion == StoredSessions.formatVersion else {
                    throw StoredSessionError.unknownVersion(stored.formatVersion)
                }
                record = try decoder.decode(ClientSessionRecord.self, from: stored.state)
                guard record.clientID == stored.clientID, record.version == ClientSessionRecord.currentVersion else {
                    throw StoredSessionError.mismatch
                }
            } catch {
                discarded += 1
                self.metrics.dropped("stored_session_unreadable")
                self.logger.error(
                    "Stored session unreadable; discarded",
                    metadata: ["client.id": "\(stored.clientID)", "error.description": "\(error)"]
                )
                _ = try? store.removeSession(clientID: stored.clientID)
                continue
            }
            if self.configuration.effectiveAuthentication == .allowlist,
                self.configuration.clients[record.clientID] == nil
            {
                // Stored under an earlier configuration; the client id may no longer connect.
                discarded += 1
                self.metrics.rejectedConnection(ConnectRefusal.notAllowlisted.rawValue)
                self.logger.notice(
                    "Stored session discarded: its client id is not listed under gateway.clients",
                    metadata: ["client.id": "\(record.clientID)", "gateway.authentication": "allowlist"]
                )
                _ = try? store.removeSession(clientID: stored.clientID)
                continue
            }
            self.restore(
                record,
                address: stored.lastAddress.flatMap(MQTTSNClientAddress.init(storedForm:)),
                authenticated: stored.lastAddress.map(MQTTSNClientAddress.isAuthenticated(storedForm:)) ?? false,
                now: now
            )
            self.stored.saved[record.clientID] = record
            self.stored.incarnations[record.clientID] = stored.incarnation
            restored += 1
        }
        self.metrics.clientsConnected(self.sessions.count)
        self.logger.info(
            "Sessions restored from the store",
            metadata: [
                "sessions.restored": "\(restored)", "sessions.discarded": "\(discarded)",
                "sessions.waiting": "\(self.keptSessions.count)",
                "store.restore_ms": "\((self.eventLoop.now - started).nanoseconds / 1_000_000)",
            ]
        )
    }

    /// A DTLS client's session (`authenticated`) is restored with no transport that reaches it, in the place of its
    /// association: only its client, authenticated again, continues it (``isSamePeer(_:address:via:)``).
    private func restore(
        _ record: ClientSessionRecord,
        address: MQTTSNClientAddress?,
        authenticated: Bool,
        now: NIODeadline
    ) {
        let machine = ClientSessionStateMachine(
            restoring: record,
            settings: self.settings,
            predefinedTopics: self.clientPredefinedTopics[record.clientID] ?? self.globalPredefinedTopics,
            now: now
        )
        let transport =
            authenticated ? nil : address.flatMap { address in self.transports.first { $0.canReach(address) } }
        let session = ClientSession(
            machine: machine,
            address: address ?? .serial(device: "", wirelessNodeID: nil),
            transport: transport ?? (authenticated ? UnreachableAuthenticatedTransport() : UnreachableTransport())
        )
        // The ACL, mountpoint and send budget of today's configuration, as for a session admitted now.
        self.restoredAdmission(of: session, now: now)
        guard machine.state != .disconnected, self.sessions.count < self.configuration.maxClients else {
            session.machine.state = .disconnected
            session.isReachable = false
            self.keep(session)
            return
        }
        self.sessions[record.clientID] = session
        self.sessionOrder = nil
        if let address, let transport {
            self.rebind(session, to: address, via: transport, force: true)
        } else {
            // Serial port not open yet, or no address stored: found again when the client talks.
            session.isReachable = false
        }
        self.refreshMaximumPacketSize(of: session)
        self.logger.debug(
            "Session restored",
            metadata: ["client.id": "\(record.clientID)", "peer.address": "\(session.address)"]
        )
        self.perform(session.machine.start(), for: session)
    }
}
