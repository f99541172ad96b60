/// How a tty is opened and held.
public struct SerialPortConfiguration: Hashable, Sendable {
    /// Bits per second, 8N1, no flow control. Common: 115200, 230400, 460800, 921600.
    public var baudRate: Int = 115_200
    /// DTR and RTS once the port is open. Both deasserted keeps an ESP32 running and out of download mode; the
    /// change is one ioctl, so the board never sees the reset combination in between.
    public var dataTerminalReady = false
    public var requestToSend = false
    /// When to pulse the reset lines.
    public var resetPolicy: SerialPortResetPolicy = .never
    /// The pulse used by ``resetPolicy``.
    public var resetPulse: SerialPortResetPulse = .hardReset
    /// Take exclusive use of the tty (TIOCEXCL) so another program cannot interleave bytes.
    public var exclusive = true

    public init(baudRate: Int = 115_200, resetPolicy: SerialPortResetPolicy = .never) {
        self.baudRate = baudRate
        self.resetPolicy = resetPolicy
    }
}
