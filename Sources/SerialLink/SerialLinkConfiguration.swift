import NIOCore

/// The gateway side's link parameters.
public struct SerialLinkConfiguration: Sendable {
    /// Protocol versions this gateway implements.
    public var supportedVersions: ClosedRange<UInt8> = 1...1
    /// Our maximum decoded frame size, announced in HELLO-ACK (64...1024).
    public var maximumFrameSize: Int = SerialFrame.hardMaximumSize
    /// Link keepalive: ping after this much silence, link lost after `silenceLimitMultiplier` times it.
    /// Sent to the device in whole seconds; `.zero` disables liveness checking.
    public var keepaliveInterval: TimeAmount = .seconds(15)
    /// How many keepalive intervals of silence mean the device is hung or gone.
    public var silenceLimitMultiplier: Int = 3
    /// The least time between two RESET frames sent to a device that talks before saying HELLO.
    public var resetRateLimit: TimeAmount = .seconds(1)

    public init() {}

    var keepaliveSeconds: UInt16 {
        let nanoseconds = max(self.keepaliveInterval.nanoseconds, 0)
        let seconds = (nanoseconds + 999_999_999) / 1_000_000_000
        return UInt16(clamping: seconds)
    }

    /// The interval as the device sees it (whole seconds), so both sides time silence alike.
    var effectiveKeepalive: TimeAmount {
        .seconds(Int64(self.keepaliveSeconds))
    }
}
