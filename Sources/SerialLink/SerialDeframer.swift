/// Splits a device's byte stream into frames, console lines and bad frames
/// (Firmware-Protocol/PROTOCOL.md sections 2.5 and 6). A plain value, driven byte by byte, so it is tested without
/// a channel; ``SerialFrameDecoder`` runs it inside NIO.
///
/// ```
///  ets Jun  8 2016\r\n 00 <COBS frame> 00 x=1\n 00 <COBS frame> 00 00 <COBS frame> 00
///  '-- console ------'    '- frame -'      '---'   '- frame -'        '- frame -'
///                      expectFrame=true  console  expectFrame=true   (00 00: expectFrame=true)
/// ```
///
/// Memory is bounded: a segment is buffered up to the encoded size of `maximumFrameSize`, a console line up to
/// ``consoleLineLimit`` bytes.
public struct SerialDeframer: Sendable {
    /// Console lines longer than this are split.
    public static let consoleLineLimit = 256

    private enum Overflow: Sendable {
        case none
        /// A segment in frame position grew past the cap: drop bytes up to the next delimiter.
        case skippingOversizeFrame
        /// A segment in console position grew past the cap: it cannot be a frame, keep it as text only.
        case streamingConsole
    }

    /// The largest decoded frame accepted.
    public let maximumFrameSize: Int
    private let maximumSegmentLength: Int
    private var segment: [UInt8] = []
    private var expectFrame = false
    private var overflow = Overflow.none
    private var line: [UInt8] = []
    private var lastWasCarriageReturn = false

    public init(maximumFrameSize: Int = SerialFrame.hardMaximumSize) {
        self.maximumFrameSize = min(
            max(maximumFrameSize, SerialFrame.minimumAnnouncedMaximumSize),
            SerialFrame.hardMaximumSize
        )
        self.maximumSegmentLength = COBS.maximumEncodedLength(of: self.maximumFrameSize)
        self.segment.reserveCapacity(self.maximumSegmentLength)
    }

    /// Feeds one byte; returns what it completed, if anything.
    public mutating func process(_ byte: UInt8) -> SerialDeframerEvent? {
        if byte == 0 {
            return self.endSegment()
        }
        switch self.overflow {
        case .skippingOversizeFrame:
            return nil
        case .streamingConsole:
            return self.consoleByte(byte)
        case .none:
            break
        }
        if self.segment.count >= self.maximumSegmentLength {
            self.segment.removeAll(keepingCapacity: true)
            if self.expectFrame {
                self.overflow = .skippingOversizeFrame
                return nil
            }
            self.overflow = .streamingConsole
            return self.consoleByte(byte)
        }
        self.segment.append(byte)
        // In console position the bytes are surfaced as text as they come, yet kept in case they form a frame.
        return self.expectFrame ? nil : self.consoleByte(byte)
    }

    /// Surfaces a partial console line at the end of the stream.
    public mutating func finish() -> SerialDeframerEvent? {
        self.segment.removeAll(keepingCapacity: true)
        return self.takeLine()
    }

    private mutating func endSegment() -> SerialDeframerEvent? {
        defer {
            self.segment.removeAll(keepingCapacity: true)
            self.overflow = .none
            self.lastWasCarriageReturn = false
        }
        switch self.overflow {
        case .skippingOversizeFrame:
            self.expectFrame = false
            return .badFrame(.oversize)
        case .streamingConsole:
            self.expectFrame = true
            return self.takeLine()
        case .none:
            break
        }
        guard !self.segment.isEmpty else {
            // Trailing delimiter of one frame and leading delimiter of the next: a frame follows.
            self.expectFrame = true
            return nil
        }
        let frame: SerialFrame
        do {
            frame = try SerialFrame(segment: self.segment, maximumFrameSize: self.maximumFrameSize)
        } catch {
            if self.expectFrame {
                self.expectFrame = false
                return .badFrame(error)
            }
            // Console text ended by the leading delimiter of a frame.
            self.expectFrame = true
            return self.takeLine()
        }
        if !self.expectFrame {
            // The bytes were streamed as console text; they were a frame, so the partial line is theirs.
            self.line.removeAll(keepingCapacity: true)
        }
        self.expectFrame = false
        return .frame(frame)
    }

    private mutating func consoleByte(_ byte: UInt8) -> SerialDeframerEvent? {
        switch byte {
        case UInt8(ascii: "\n"):
            if self.lastWasCarriageReturn {
                self.lastWasCarriageReturn = false
                return nil
            }
            return self.takeLine()
        case UInt8(ascii: "\r"):
            self.lastWasCarriageReturn = true
            return self.takeLine()
        default:
            self.lastWasCarriageReturn = false
            self.line.append(byte)
            return self.line.count >= Self.consoleLineLimit ? self.takeLine() : nil
        }
    }

    private mutating func takeLine() -> SerialDeframerEvent? {
        guard !self.line.isEmpty else { return nil }
        let text = String(decoding: self.line, as: UTF8.self)
        self.line.removeAll(keepingCapacity: true)
        return .consoleLine(text)
    }
}
