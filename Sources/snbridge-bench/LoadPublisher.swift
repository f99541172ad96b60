import NIOCore

/// A client that publishes benchmark messages: an MQTT-SN client through the bridge, or an MQTT client straight to
/// the broker (the baseline). Every method but `counters` and `eventLoop` must be called on `eventLoop`.
protocol LoadPublisher: AnyObject, Sendable {
    var index: Int { get }
    var eventLoop: any EventLoop { get }
    var counters: PublishCounters { get }
    /// Prepares for `run`; closed-loop runs start sending at once.
    func begin(_ run: PublishRun, credit: DeliveryCredit)
    /// Sends one message if the window allows; false when it is full.
    func sendOne() -> Bool
    /// Sends until the window is full (closed loop); a parked QoS 0 publisher is woken through this.
    func fill()
    /// Stops sending; acknowledgements still count.
    func end()
}
