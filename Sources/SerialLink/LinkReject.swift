import NIOCore

/// The gateway's refusal of a HELLO, with the gateway's version range so a mismatch has a clear answer.
///
/// ```
/// +--------+-----------------+-----------------+
/// | reason | gateway ver min | gateway ver max |
/// +--------+-----------------+-----------------+
/// ```
public struct LinkReject: Hashable, Sendable {
    /// Why a HELLO was refused.
    public struct Reason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// No protocol version in common.
        public static let unsupportedVersion = Reason(rawValue: 0x01)
        /// The HELLO payload does not follow the layout.
        public static let malformedHello = Reason(rawValue: 0x02)
        /// The device announced a maximum frame size below 64.
        public static let frameSizeTooSmall = Reason(rawValue: 0x03)
        /// Gateway policy does not admit this device.
        public static let notAllowed = Reason(rawValue: 0x04)

        public var description: String {
            switch self {
            case .unsupportedVersion: "unsupported protocol version"
            case .malformedHello: "malformed HELLO"
            case .frameSizeTooSmall: "maximum frame size below 64"
            case .notAllowed: "device not allowed"
            default: "reason 0x\(String(self.rawValue, radix: 16))"
            }
        }
    }

    public var reason: Reason
    /// Protocol versions the gateway implements.
    public var gatewayVersions: ClosedRange<UInt8>

    public init(reason: Reason, gatewayVersions: ClosedRange<UInt8>) {
        self.reason = reason
        self.gatewayVersions = gatewayVersions
    }
}

extension LinkReject {
    init(payload: ByteBuffer) throws(SerialFrameError) {
        var buffer = payload
        guard buffer.readableBytes == 3,
            let reason = buffer.readInteger(as: UInt8.self),
            let minimum = buffer.readInteger(as: UInt8.self),
            let maximum = buffer.readInteger(as: UInt8.self),
            minimum <= maximum
        else {
            throw .malformedPayload("REJECT must be 3 bytes with an ordered version range")
        }
        self.init(reason: Reason(rawValue: reason), gatewayVersions: minimum...maximum)
    }

    func write(into buffer: inout ByteBuffer) {
        buffer.writeInteger(self.reason.rawValue)
        buffer.writeInteger(self.gatewayVersions.lowerBound)
        buffer.writeInteger(self.gatewayVersions.upperBound)
    }
}
