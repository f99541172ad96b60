/// How the bridge talks to a device a rule matched.
public struct DeviceMatchOptions: Sendable, Hashable {
    /// The baud rate; the reference firmware uses 115200.
    public var baudRate: Int
    /// The framing on the line.
    public var framing: DeviceFraming
    /// When to reset the board through DTR/RTS.
    public var resetPolicy: DeviceResetPolicy
    /// Put in front of the device identity to form the upstream MQTT client id; `nil` for the bridge's default.
    public var clientIDPrefix: String?

    public init(
        baudRate: Int = 115_200,
        framing: DeviceFraming = .snbridge,
        resetPolicy: DeviceResetPolicy = .never,
        clientIDPrefix: String? = nil
    ) {
        self.baudRate = baudRate
        self.framing = framing
        self.resetPolicy = resetPolicy
        self.clientIDPrefix = clientIDPrefix
    }
}
