/// What a publisher does during one scenario run.
struct PublishRun: Sendable {
    enum Mode: Sendable, Equatable {
        /// Keep `window` messages in flight per publisher; send the next as soon as one completes.
        case closedLoop
        /// Send when the event loop's pacer says so; `window` only caps what may be outstanding.
        case paced
    }

    var runID: UInt32
    /// 0 or 1.
    var qos: Int
    var payloadSize: Int
    var mode: Mode
    /// Outstanding messages allowed per publisher: unacknowledged for QoS 1, not yet at the subscriber for QoS 0
    /// in a closed loop. Ignored for paced QoS 0.
    var window: Int
}
