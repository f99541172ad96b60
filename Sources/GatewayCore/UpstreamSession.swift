import NIOCore

/// One MQTT session with the upstream broker, as the gateway core sees it.
///
/// The core never talks to ``MQTTClient`` directly: it goes through this protocol, implemented for real by
/// ``MQTTClientUpstream`` and by fakes in tests, so that session logic can be tested without a broker.
///
/// Futures may complete on any event loop; the gateway hops to its own.
public protocol UpstreamSession: AnyObject, Sendable {
    /// Opens the session; succeeds with whether the broker kept a session for this client id (MQTT's session
    /// present flag: its subscriptions are still there). Fails with ``UpstreamConnectError`` when the broker refuses it.
    func connect() -> EventLoopFuture<Bool>
    /// Publishes; `promise`, when given, succeeds once the broker acknowledged the message (PUBACK for QoS 1,
    /// PUBCOMP for QoS 2) or, for QoS 0, once written. The message may wait in the connection's write buffer until
    /// ``flush()``: the gateway publishes a whole inbound burst, then flushes each session it touched once.
    func publish(_ message: UpstreamMessage, promise: EventLoopPromise<Void>?)
    /// Writes out what ``publish(_:promise:)`` left in the connection's write buffer.
    func flush()
    /// False while the broker reads slower than the session writes (the write buffer is above its high-water mark).
    /// QoS 0 messages are then dropped, and counted, rather than buffered without bound.
    var isWritable: Bool { get }
    /// Subscribes to one filter; succeeds with the granted QoS, fails when the broker refused the subscription.
    func subscribe(topicFilter: String, qos: UpstreamQoS) -> EventLoopFuture<UpstreamQoS>
    /// Acknowledges a broker message (``UpstreamSessionEvents/message``) once the device has it; the answer
    /// waits for ``flush()``. One from an earlier broker session is ignored.
    func acknowledge(_ acknowledgement: UpstreamAcknowledgement)
    /// Unsubscribes from one filter.
    func unsubscribe(topicFilter: String) -> EventLoopFuture<Void>
    /// Closes the session gracefully with DISCONNECT: the broker discards the will.
    func disconnect() -> EventLoopFuture<Void>
    /// Drops the connection without DISCONNECT, so that the broker publishes the will.
    func closeAbruptly() -> EventLoopFuture<Void>
}
