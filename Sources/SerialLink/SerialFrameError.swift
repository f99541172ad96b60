/// Why a serial frame, or the payload of a known frame type, was refused.
///
/// Errors are values: a receiver counts them per cause and carries on, it never stops the link for one.
public struct SerialFrameError: Error, Hashable, Sendable, CustomStringConvertible {
    enum Code: Hashable, Sendable {
        case cobsError
        case tooShort
        case badCRC
        case unknownType
        case oversize
        case malformedPayload
    }

    let code: Code
    /// Extra detail for logs, e.g. which field of a HELLO was out of range.
    public let detail: String

    init(_ code: Code, detail: String = "") {
        self.code = code
        self.detail = detail
    }

    /// A COBS code byte points past the end of the segment.
    public static let cobsError = SerialFrameError(.cobsError)
    /// Fewer than 3 decoded bytes (type and CRC).
    public static let tooShort = SerialFrameError(.tooShort)
    /// The CRC-16/CCITT-FALSE does not match.
    public static let badCRC = SerialFrameError(.badCRC)
    /// A frame type this protocol version does not define.
    public static let unknownType = SerialFrameError(.unknownType)
    /// The frame exceeds the maximum frame size.
    public static let oversize = SerialFrameError(.oversize)
    /// A known frame type whose payload has the wrong layout.
    public static func malformedPayload(_ detail: String) -> SerialFrameError {
        SerialFrameError(.malformedPayload, detail: detail)
    }

    public static func == (lhs: SerialFrameError, rhs: SerialFrameError) -> Bool {
        lhs.code == rhs.code
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.code)
    }

    public var description: String {
        let base: String
        switch self.code {
        case .cobsError: base = "COBS error: a code byte points past the end of the frame"
        case .tooShort: base = "frame shorter than its type byte and CRC"
        case .badCRC: base = "CRC-16/CCITT-FALSE mismatch"
        case .unknownType: base = "unknown frame type"
        case .oversize: base = "frame larger than the maximum frame size"
        case .malformedPayload: base = "malformed frame payload"
        }
        return self.detail.isEmpty ? base : "\(base): \(self.detail)"
    }
}
