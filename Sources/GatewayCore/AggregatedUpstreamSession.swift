import DequeModule
import MQTTClient
import NIOCore

/// One MQTT-SN client's upstream session in aggregating mode: no connection of its own, only its share of the
/// ``AggregatedUpstreamPool``'s sessions. To the gateway core it is an ``UpstreamSession`` like any other, so the
/// client's session, will, subscriptions and queues stay the core's, as in transparent mode.
///
/// Its PUBLISHes go out on the shared session its client id hashes to (so they keep their order), each carrying
/// the MQTT-SN client id as an MQTT 5 user property; a QoS 1/2 PUBLISH completes when the broker acknowledged it
/// on that session. Its subscriptions are reference-counted in the pool. Its will is published by the gateway on
/// the shared session when the client is lost (``closeAbruptly()``), and not when it leaves properly
/// (``disconnect()``).
final class AggregatedUpstreamSession: UpstreamSession, @unchecked Sendable {
    let pool: AggregatedUpstreamPool
    let events: UpstreamSessionEvents
    /// The MQTT-SN client id (without the broker client id prefix).
    let clientID: String
    /// Which shared session carries this client's PUBLISHes.
    let connection: Int
    /// A clean-session-off client's subscriptions and messages outlive this session (``AggregatedUpstreamPool``).
    let cleanSession: Bool
    private let will: UpstreamMessage?
    /// The shared messages this client has a copy of and has not acknowledged yet (``AggregatedUpstreamPool``'s
    /// fanout tokens). Confined to the pool's event loop.
    var heldFanouts: Deque<UInt64> = []

    init(
        pool: AggregatedUpstreamPool,
        clientID: String,
        cleanSession: Bool,
        will: UpstreamMessage?,
        events: UpstreamSessionEvents
    ) {
        self.pool = pool
        self.events = events
        self.clientID = clientID
        self.cleanSession = cleanSession
        self.will = will
        self.connection = Self.connection(for: clientID, among: pool.connectionCount)
    }

    /// A stable choice (FNV-1a of the client id), so a client keeps its connection across reconnects.
    static func connection(for clientID: String, among count: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in clientID.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return Int(hash % UInt64(max(count, 1)))
    }

    func connect() -> EventLoopFuture<Bool> {
        self.pool.eventLoop.flatSubmit { self.pool.open(self) }
    }

    func publish(_ message: UpstreamMessage, promise: EventLoopPromise<Void>?) {
        var properties = MQTTProperties()
        if let name = self.pool.clientProperty {
            properties.entries.append(.userProperty(name, self.clientID))
        }
        self.pool.clients[self.connection].publish(
            MQTTMessage(
                topic: message.topic,
                payload: message.payload,
                qos: MQTTQoS(rawValue: message.qos.rawValue) ?? .atMostOnce,
                retain: message.retain,
                properties: properties
            ),
            flush: false,
            promise: promise
        )
    }

    func flush() {
        self.pool.flush(self.connection)
    }

    var isWritable: Bool {
        self.pool.clients[self.connection].isWritable
    }

    func subscribe(topicFilter: String, qos: UpstreamQoS) -> EventLoopFuture<UpstreamQoS> {
        self.pool.eventLoop.flatSubmit { self.pool.subscribe(self, to: topicFilter, qos: qos) }
    }

    /// On the pool's loop (the gateway's, in practice) at once, so that the gateway's ``flush()`` after its burst
    /// writes the shared PUBACK out; from elsewhere with a hop and a flush of its own.
    func acknowledge(_ acknowledgement: UpstreamAcknowledgement) {
        guard let token = acknowledgement.fanout else { return }
        if self.pool.eventLoop.inEventLoop {
            self.pool.acknowledged(token, by: self)
        } else {
            self.pool.eventLoop.execute {
                self.pool.acknowledged(token, by: self)
                self.pool.flush(self.connection)
            }
        }
    }

    func unsubscribe(topicFilter: String) -> EventLoopFuture<Void> {
        self.pool.eventLoop.flatSubmit { self.pool.unsubscribe(self, from: topicFilter) }
    }

    func disconnect() -> EventLoopFuture<Void> {
        self.pool.eventLoop.submit { self.pool.close(self, will: nil) }
    }

    func closeAbruptly() -> EventLoopFuture<Void> {
        self.pool.eventLoop.submit { self.pool.close(self, will: self.will) }
    }
}
