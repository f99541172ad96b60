extension UInt16 {
    /// Four lowercase hexadecimal digits, as USB ids are written (`0403`, not `403`).
    var fourDigitHex: String {
        let digits = String(self, radix: 16)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}
