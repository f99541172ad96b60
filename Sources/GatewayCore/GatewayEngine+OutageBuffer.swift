import Foundation
import Logging
import MQTTSN
import NIOCore
import SessionStore

extension GatewayEngine {
    /// How many outage messages are read and published upstream at a time.
    static let outageForwardBatch = 100

    /// Appends a client's QoS 1/2 PUBLISH to the durable outage buffer (`gateway.outage_buffer`) and answers it once
    /// it is on disk: PUBACK 0x00 or PUBREC (the broker gets it later, in order). A full buffer, or a write the store
    /// refuses, is answered with PUBACK 0x01 "congestion" at once, counted and logged (at most once a second).
    func bufferForOutage(_ message: UpstreamMessage, completion: UpstreamPublishCompletion, for session: ClientSession)
    {
        guard let store = self.stored.store else {
            self.perform(session.machine.upstreamPublishCompleted(completion, succeeded: false), for: session)
            return
        }
        let appended: (sequence: UInt64, ticket: SessionStoreTicket)
        do {
            appended = try store.appendOutage(
                OutageMessage(
                    clientID: session.clientID,
                    topic: message.topic,
                    payload: Data(message.payload.readableBytesView),
                    qos: message.qos == .exactlyOnce ? 2 : 1,
                    retain: message.retain
                )
            )
        } catch {
            let reason = error.isOutageBufferFull ? "outage_buffer_full" : "store_write_refused"
            self.metrics.dropped(reason)
            if self.stored.outageFullWarnings.admit() {
                self.logger.notice(
                    "PUBLISH not taken into the outage buffer; answered with congestion",
                    metadata: [
                        "client.id": "\(session.clientID)", "drop.reason": "\(reason)",
                        "drop.suppressed": "\(self.stored.outageFullWarnings.suppressed)",
                        "error.description": "\(error)",
                    ]
                )
                self.stored.outageFullWarnings.resetSuppressed()
            }
            self.perform(session.machine.upstreamPublishCompleted(completion, succeeded: false), for: session)
            return
        }
        session.machine.hasOutageBacklog = true
        store.whenDurable(appended.ticket, on: self.eventLoop).whenComplete { [self] result in
            guard self.isCurrent(session) else { return }
            var succeeded = true
            if case .failure(let error) = result {
                succeeded = false
                self.metrics.dropped("store_write_failed")
                self.logger.warning(
                    "Outage buffer write failed; PUBLISH answered with congestion",
                    metadata: ["client.id": "\(session.clientID)", "error.description": "\(error)"]
                )
            }
            self.perform(session.machine.upstreamPublishCompleted(completion, succeeded: succeeded), for: session)
            if session.machine.isUpstreamUp {
                // The broker came back while the write was on its way.
                self.forwardOutage(for: session)
            }
            self.flushPendingWrites()
        }
    }

    /// Publishes the client's outage-buffer messages upstream in order, a batch at a time, removing each batch from
    /// the store once the broker acknowledged all of it; new QoS 1/2 PUBLISHes join the buffer meanwhile, so nothing
    /// overtakes. Called whenever the upstream session comes up. Interrupted by another loss, the rest (and the
    /// unacknowledged batch, at least once) goes on the next connection.
    func forwardOutage(for session: ClientSession) {
        guard let store = self.stored.store, self.configuration.outageBuffer != nil else { return }
        let clientID = session.clientID
        guard !self.stored.forwarding.contains(clientID) else { return }
        guard store.outageUsage(clientID: clientID).messages > 0 else {
            session.machine.hasOutageBacklog = false
            return
        }
        session.machine.hasOutageBacklog = true
        self.stored.forwarding.insert(clientID)
        store.outageMessages(clientID: clientID, after: 0, limit: Self.outageForwardBatch, on: self.eventLoop)
            .whenComplete { [self] result in
                guard self.isCurrent(session), session.machine.isUpstreamUp, let upstream = session.upstream,
                    case .success(let messages) = result, let last = messages.last
                else {
                    self.stored.forwarding.remove(clientID)
                    if case .failure(let error) = result {
                        self.logger.warning(
                            "Outage buffer could not be read; forwarded on the next connection",
                            metadata: ["client.id": "\(clientID)", "error.description": "\(error)"]
                        )
                    }
                    return
                }
                var published: [EventLoopFuture<Void>] = []
                for stored in messages {
                    let promise = self.eventLoop.makePromise(of: Void.self)
                    self.metrics.publishedUpstream()
                    upstream.publish(
                        UpstreamMessage(
                            topic: stored.topic,
                            payload: ByteBuffer(bytes: stored.payload),
                            qos: stored.qos == 2 ? .exactlyOnce : .atLeastOnce,
                            retain: stored.retain
                        ),
                        promise: promise
                    )
                    published.append(promise.futureResult)
                }
                self.markForFlush(upstream)
                self.flushPendingWrites()
                EventLoopFuture.andAllSucceed(published, on: self.eventLoop).whenComplete { [self] outcome in
                    self.stored.forwarding.remove(clientID)
                    switch outcome {
                    case .success:
                        do {
                            try store.removeOutage(clientID: clientID, through: last.sequence)
                        } catch {
                            self.logger.error(
                                "Forwarded outage messages could not be removed",
                                metadata: ["client.id": "\(clientID)", "error.description": "\(error)"]
                            )
                            return
                        }
                        self.logger.info(
                            "Outage buffer forwarded to the broker",
                            metadata: ["client.id": "\(clientID)", "messages.count": "\(messages.count)"]
                        )
                        if self.isCurrent(session) { self.forwardOutage(for: session) }
                    case .failure(let error):
                        self.logger.notice(
                            "Outage buffer forwarding interrupted; resumed on the next connection",
                            metadata: ["client.id": "\(clientID)", "error.description": "\(error)"]
                        )
                    }
                }
            }
    }
}
