/// CRC-16/CCITT-FALSE, the integrity check of every serial frame.
///
/// ```
/// width 16, poly 0x1021, init 0xFFFF, refin false, refout false, xorout 0x0000, check("123456789") = 0x29B1
/// ```
///
/// Table-driven: the table is built once, so checking a frame costs one lookup per byte.
public enum CRC16CCITTFalse {
    /// The value a CRC starts from.
    public static let initialValue: UInt16 = 0xFFFF

    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 {
            crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
        }
        return crc
    }

    /// Folds `byte` into `crc`.
    @inlinable
    public static func update(_ crc: UInt16, byte: UInt8) -> UInt16 {
        (crc << 8) ^ Self.lookup(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)
    }

    /// The CRC of `bytes`, continuing from `crc`.
    @inlinable
    public static func checksum<Bytes: Sequence>(_ bytes: Bytes, startingFrom crc: UInt16 = initialValue) -> UInt16
    where Bytes.Element == UInt8 {
        var crc = crc
        for byte in bytes {
            crc = Self.update(crc, byte: byte)
        }
        return crc
    }

    @usableFromInline
    static func lookup(_ index: UInt8) -> UInt16 {
        Self.table[Int(index)]
    }
}
