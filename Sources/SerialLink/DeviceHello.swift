import NIOCore

/// The HELLO a device sends to open the link: who it is and what it speaks.
///
/// ```
/// +---------+---------+---------------+--------+-----------+---------+---------+---------+------------+
/// | ver min | ver max | max frame u16 | id len | device id | fw len  | fw name | ver len | fw version |
/// +---------+---------+---------------+--------+-----------+---------+---------+---------+------------+
///                                         1..16 bytes          0..32 bytes          0..32 bytes
/// ```
public struct DeviceHello: Hashable, Sendable {
    public static let deviceIdentityLengths = 1...16
    public static let firmwareTextMaximumLength = 32
    /// The largest HELLO frame (type, 4 fixed bytes, 1+16 id, 2 × (1+32) texts, CRC); always receivable.
    public static let largestFrameSize = 1 + 4 + 17 + 33 + 33 + 2

    /// Protocol versions the device implements.
    public var supportedVersions: ClosedRange<UInt8>
    /// The device's maximum decoded frame size (64...1024 once validated).
    public var maximumFrameSize: UInt16
    /// Opaque, stable identity of the board (chip id, MAC address).
    public var deviceIdentity: [UInt8]
    public var firmwareName: String
    public var firmwareVersion: String

    public init(
        supportedVersions: ClosedRange<UInt8>,
        maximumFrameSize: UInt16,
        deviceIdentity: [UInt8],
        firmwareName: String,
        firmwareVersion: String
    ) {
        self.supportedVersions = supportedVersions
        self.maximumFrameSize = maximumFrameSize
        self.deviceIdentity = deviceIdentity
        self.firmwareName = firmwareName
        self.firmwareVersion = firmwareVersion
    }

    /// The identity as lowercase hex, for logs and as a stable key (`device.id`).
    public var deviceIdentityHex: String {
        self.deviceIdentity.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 0x10 ? "0" + hex : hex
        }.joined()
    }
}

extension DeviceHello {
    init(payload: ByteBuffer) throws(SerialFrameError) {
        var buffer = payload
        guard let minimum = buffer.readInteger(as: UInt8.self),
            let maximum = buffer.readInteger(as: UInt8.self),
            let maximumFrameSize = buffer.readInteger(as: UInt16.self)
        else {
            throw .malformedPayload("HELLO shorter than its fixed fields")
        }
        guard minimum <= maximum else {
            throw .malformedPayload("HELLO version range \(minimum)...\(maximum) is empty")
        }
        guard let identity = Self.readField(&buffer, lengths: Self.deviceIdentityLengths) else {
            throw .malformedPayload("HELLO device id length outside 1...16")
        }
        let textLengths = 0...Self.firmwareTextMaximumLength
        guard let name = Self.readField(&buffer, lengths: textLengths),
            let version = Self.readField(&buffer, lengths: textLengths)
        else {
            throw .malformedPayload("HELLO firmware text longer than 32 bytes or truncated")
        }
        guard buffer.readableBytes == 0 else {
            throw .malformedPayload("HELLO has \(buffer.readableBytes) trailing bytes")
        }
        self.init(
            supportedVersions: minimum...maximum,
            maximumFrameSize: maximumFrameSize,
            deviceIdentity: identity,
            firmwareName: String(decoding: name, as: UTF8.self),
            firmwareVersion: String(decoding: version, as: UTF8.self)
        )
    }

    func write(into buffer: inout ByteBuffer) {
        buffer.writeInteger(self.supportedVersions.lowerBound)
        buffer.writeInteger(self.supportedVersions.upperBound)
        buffer.writeInteger(self.maximumFrameSize)
        buffer.writeInteger(UInt8(truncatingIfNeeded: self.deviceIdentity.count))
        buffer.writeBytes(self.deviceIdentity)
        for text in [self.firmwareName, self.firmwareVersion] {
            let bytes = Array(text.utf8.prefix(Self.firmwareTextMaximumLength))
            buffer.writeInteger(UInt8(bytes.count))
            buffer.writeBytes(bytes)
        }
    }

    private static func readField(_ buffer: inout ByteBuffer, lengths: ClosedRange<Int>) -> [UInt8]? {
        guard let length = buffer.readInteger(as: UInt8.self), lengths.contains(Int(length)) else {
            return nil
        }
        return buffer.readBytes(length: Int(length))
    }
}
