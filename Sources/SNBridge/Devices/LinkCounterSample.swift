import SerialLink

/// The frame counters of one open link, as ``SerialLinkConnection/counters()`` reports them.
public struct LinkCounterSample: Hashable, Sendable {
    public var framesIn: Int
    public var framesOut: Int
    public var badFrames: Int

    public init(framesIn: Int, framesOut: Int, badFrames: Int) {
        self.framesIn = framesIn
        self.framesOut = framesOut
        self.badFrames = badFrames
    }

    public init(_ counters: SerialLinkCounters) {
        self.init(framesIn: counters.framesReceived, framesOut: counters.framesSent, badFrames: counters.badFrames)
    }
}
