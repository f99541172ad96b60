/// A USB vendor id with a product id or any product: `10c4:ea60`, `303a:*`.
public struct USBIDPattern: Sendable, Hashable, CustomStringConvertible {
    /// The vendor id that must match.
    public var vendorID: UInt16
    /// The product id that must match; `nil` matches every product of the vendor.
    public var productID: UInt16?

    public init(vendorID: UInt16, productID: UInt16?) {
        self.vendorID = vendorID
        self.productID = productID
    }

    /// Parses `VVVV:PPPP` or `VVVV:*` (hexadecimal, as `lsusb` prints them).
    public init(parsing text: String) throws(DeviceMatchRuleError) {
        let parts = text.trimmingSpaces.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2,
            parts[0].count == 4,
            let vendorID = UInt16(parts[0], radix: 16)
        else {
            throw .invalidUSBID(text)
        }
        if parts[1] == "*" {
            self.init(vendorID: vendorID, productID: nil)
        } else if parts[1].count == 4, let productID = UInt16(parts[1], radix: 16) {
            self.init(vendorID: vendorID, productID: productID)
        } else {
            throw .invalidUSBID(text)
        }
    }

    /// Whether a device with these ids matches.
    public func matches(vendorID: UInt16?, productID: UInt16?) -> Bool {
        guard vendorID == self.vendorID else { return false }
        guard let wanted = self.productID else { return true }
        return productID == wanted
    }

    public var description: String {
        vendorID.fourDigitHex + ":" + (productID?.fourDigitHex ?? "*")
    }
}
