/// DISCONNECT (0x18): closing a session, or (with a duration) a client going to sleep.
///
/// ```
/// +--------+------+-----------------------+
/// | Length | 0x18 | Duration (opt.)       |
/// |   1    |  1   | 2 big-endian or none  |
/// +--------+------+-----------------------+
/// ```
public struct MQTTSNDisconnect: Sendable, Hashable {
    /// The sleep duration in seconds; `nil` for a plain disconnect.
    public var duration: UInt16?

    public init(duration: UInt16? = nil) {
        self.duration = duration
    }
}
