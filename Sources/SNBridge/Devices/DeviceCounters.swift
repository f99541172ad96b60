/// Per-device counts kept across reopens, for the device list.
public struct DeviceCounters: Hashable, Sendable, Codable {
    /// Frames received from the device, all link sessions together.
    public var framesIn = 0
    /// Frames sent to the device.
    public var framesOut = 0
    /// Frames refused (CRC, COBS, size, type, payload).
    public var badFrames = 0
    /// Times the link came up again after the first time.
    public var relinks = 0
    /// Times the tty was opened.
    public var opens = 0
    /// Console lines the device printed outside frames.
    public var consoleLines = 0
    /// MQTT-SN messages the device's client sent and received, once a session was seen.
    public var messagesIn: Int?
    public var messagesOut: Int?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case framesIn = "frames_in"
        case framesOut = "frames_out"
        case badFrames = "bad_frames"
        case relinks
        case opens
        case consoleLines = "console_lines"
        case messagesIn = "messages_in"
        case messagesOut = "messages_out"
    }
}
