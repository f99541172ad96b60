/// Per-device counts of what went wrong on the line, for metrics and diagnostics.
public struct SerialLinkCounters: Hashable, Sendable {
    public var framesReceived = 0
    public var framesSent = 0
    public var badCRC = 0
    public var cobsErrors = 0
    public var tooShort = 0
    public var oversize = 0
    public var unknownType = 0
    public var malformedPayload = 0
    public var consoleLines = 0

    public init() {}

    /// All refused frames, whatever the cause.
    public var badFrames: Int {
        self.badCRC + self.cobsErrors + self.tooShort + self.oversize + self.unknownType + self.malformedPayload
    }

    mutating func count(_ error: SerialFrameError) {
        switch error.code {
        case .badCRC: self.badCRC += 1
        case .cobsError: self.cobsErrors += 1
        case .tooShort: self.tooShort += 1
        case .oversize: self.oversize += 1
        case .unknownType: self.unknownType += 1
        case .malformedPayload: self.malformedPayload += 1
        }
    }
}
