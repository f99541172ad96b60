/// Why a device match rule could not be built from configuration.
public struct DeviceMatchRuleError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable {
        case invalidUSBID(String)
        case invalidUdevProperty(String)
        case noCriteria(rule: String)
        case invalidBaudRate(rule: String, Int)
    }

    private let code: Code

    /// A USB id was not `VVVV:PPPP` or `VVVV:*` in hexadecimal.
    public static func invalidUSBID(_ text: String) -> Self { Self(code: .invalidUSBID(text)) }

    /// A udev property match was not `KEY=VALUE`.
    public static func invalidUdevProperty(_ text: String) -> Self { Self(code: .invalidUdevProperty(text)) }

    /// A rule names nothing to match on, so it would match every tty on the machine.
    public static func noCriteria(rule: String) -> Self { Self(code: .noCriteria(rule: rule)) }

    /// A rule's baud rate is not positive.
    public static func invalidBaudRate(rule: String, _ baudRate: Int) -> Self {
        Self(code: .invalidBaudRate(rule: rule, baudRate))
    }

    public var description: String {
        switch code {
        case .invalidUSBID(let text):
            "invalid USB id '\(text)': expected VVVV:PPPP or VVVV:* in hexadecimal, e.g. 10c4:ea60"
        case .invalidUdevProperty(let text):
            "invalid udev property match '\(text)': expected KEY=VALUE, e.g. SNBRIDGE_DEVICE=1"
        case .noCriteria(let rule):
            "device rule '\(rule)' has nothing to match on: give a USB id, serial number, by-id or by-path glob, or udev property"
        case .invalidBaudRate(let rule, let baudRate):
            "device rule '\(rule)' has baud rate \(baudRate); it must be positive"
        }
    }
}
